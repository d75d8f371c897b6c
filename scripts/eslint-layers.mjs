// The `layers/imports` ESLint rule: the layer map of eslint.config.js applied to every relative or
// aliased import (static, re-export, dynamic). Like VS Code's `code-layering`, the map is data; this
// file only reads it. Package imports are left to `no-restricted-imports` (runtimes, electron).
import { posix, relative, sep } from 'node:path';

const toPosix = (p) => p.split(sep).join('/');
const inside = (path, folder) => path === folder || path.startsWith(`${folder}/`);

/** The most specific folder of `folders` that holds `path`. */
function owner(path, folders) {
  let best;
  for (const f of folders) if (inside(path, f) && (!best || f.length > best.length)) best = f;
  return best;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importsRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Folders import only the folders the layer map allows, and capability folders meet only through their index.ts' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          aliases: { type: 'object', additionalProperties: { type: 'string' } },
          layers: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          capabilities: { type: 'array', items: { type: 'string' } },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      layer: "{{from}}/ may not import {{target}} (the layer map in eslint.config.js lets it import: {{allowed}}).",
      index: "{{target}} reaches inside {{capability}}/; import '{{capability}}' (its index.ts) instead: capability folders meet only through their index.",
    },
  },
  create(context) {
    const { root, aliases = {}, layers, capabilities = [] } = context.options[0];
    const file = toPosix(relative(root, context.filename));
    if (file.startsWith('..')) return {};
    const from = owner(file, Object.keys(layers));
    if (!from) return {};
    const allowed = [from, ...layers[from]];
    const ownCapability = owner(file, capabilities);

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      let target;
      if (specifier.startsWith('.')) target = posix.normalize(posix.join(posix.dirname(file), specifier));
      else {
        const alias = Object.keys(aliases).find((a) => specifier === a || specifier.startsWith(`${a}/`));
        if (!alias) return;
        target = aliases[alias] + specifier.slice(alias.length);
      }
      target = target.replace(/\.(ts|tsx|js|mjs)$/, '');
      if (!allowed.some((a) => inside(target, a))) {
        context.report({ node, messageId: 'layer', data: { from, target, allowed: allowed.join(', ') } });
        return;
      }
      // Between capability folders only: the hosts may reach the core's parts directly.
      const capability = owner(target, capabilities);
      if (ownCapability && capability && capability !== ownCapability && target !== capability && target !== `${capability}/index`) {
        context.report({ node, messageId: 'index', data: { target, capability } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export default { rules: { imports: importsRule } };
