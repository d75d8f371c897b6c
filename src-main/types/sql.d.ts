// Migrations are imported as text: esbuild's "text" loader and the vite plugin in build/sql-text.ts.
declare module '*.sql' {
  const sql: string;
  export default sql;
}
