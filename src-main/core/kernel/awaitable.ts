/**
 * A store port's result: the SQLite implementation answers synchronously, the PostgreSQL one with
 * a promise (decision 0037). A caller written against the port awaits every call.
 */
export type Awaitable<T> = T | Promise<T>;
