// /api-reference: the server's OpenAPI document (/openapi.json) as a page: tags → operations → parameters, bodies,
// responses, then the schemas they name. Rendered by hand (no renderer library is bundled), read-only.
import { get } from '../api.js';
import { h, fill, table, code, badge } from '../ui.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const METHOD_KIND = { get: 'info', post: 'ok', put: 'warn', patch: 'warn', delete: 'error' };

export async function apiReferencePage(main) {
  document.title = 'API reference · Substate';
  const doc = await get('/openapi.json');
  const operations = byTag(doc);
  const search = h('input', { type: 'search', id: 'api-search', placeholder: 'Path, operation or word',
    'aria-describedby': 'api-search-hint' });
  const list = h('div', { id: 'api-operations' });
  main.append(
    h('h1', {}, 'API reference ', h('small', {}, `${doc.info.title} ${doc.info.version} · OpenAPI ${doc.openapi}`)),
    h('p', {}, doc.info.description ?? ''),
    h('p', {}, 'The document itself: ', h('a', { href: '/openapi.json', id: 'openapi-link' }, '/openapi.json'),
      ' (no authentication), for code generators and API tools.'),
    authentication(doc),
    h('div', { class: 'toolbar' }, h('label', { for: 'api-search' }, 'Filter'), search,
      h('span', { class: 'hint', id: 'api-search-hint' }, 'Shows the operations whose path, summary or id contains it.')),
    list,
    schemas(doc));
  const render = () => {
    const words = search.value.trim().toLowerCase();
    fill(list, doc.tags.map((tag) => {
      const shown = (operations.get(tag.name) ?? []).filter((op) => !words
        || `${op.method} ${op.path} ${op.operation.summary ?? ''} ${op.operation.operationId}`.toLowerCase().includes(words));
      if (shown.length === 0) return null;
      return h('section', { class: 'card api-tag', id: `tag-${slug(tag.name)}` },
        h('h2', {}, tag.name), tag.description ? h('p', { class: 'hint' }, tag.description) : null,
        shown.map((op) => operation(doc, op)));
    }));
  };
  search.addEventListener('input', render);
  render();
}

function byTag(doc) {
  const operations = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      if (!operations.has(tag)) operations.set(tag, []);
      operations.get(tag).push({ method, path, operation });
    }
  }
  return operations;
}

function authentication(doc) {
  const schemes = Object.entries(doc.components.securitySchemes ?? {});
  return h('details', { class: 'card', id: 'api-authentication' },
    h('summary', {}, h('h2', {}, 'Authentication')),
    table(['Scheme', 'Sent as', 'Who'], schemes.map(([name, scheme]) => h('tr', {},
      h('td', {}, code(name)),
      h('td', {}, scheme.type === 'http' ? `Authorization: Bearer …` : `${scheme.name} header`),
      h('td', {}, scheme.description ?? '')))));
}

function operation(doc, { method, path, operation: op }) {
  const security = op.security ?? doc.security ?? [];
  const schemes = security.flatMap((requirement) => Object.keys(requirement));
  const parameters = (op.parameters ?? []).map((p) => resolve(doc, p));
  return h('details', { class: 'api-operation', id: `op-${op.operationId}` },
    h('summary', {}, badge(method.toUpperCase(), METHOD_KIND[method]), ' ', code(path), ' ',
      h('span', { class: 'api-summary' }, op.summary ?? '')),
    h('div', { class: 'api-operation-body' },
      op.description ? h('p', {}, op.description) : null,
      h('p', { class: 'hint' }, 'Operation ', code(op.operationId), ' · ',
        schemes.length ? ['Authentication: ', schemes.map((s, i) => [i ? ' or ' : '', code(s)])] : 'No authentication'),
      parameters.length === 0 ? null : [h('h3', {}, 'Parameters'),
        table(['Name', 'In', 'Type', 'Description'], parameters.map((p) => h('tr', {},
          h('td', {}, code(p.name), p.required ? h('span', { class: 'tag' }, ' required') : null),
          h('td', {}, p.in), h('td', {}, typeOf(p.schema)), h('td', {}, p.description ?? ''))), { class: 'api-parameters' })],
      requestBody(doc, op.requestBody),
      h('h3', {}, 'Responses'),
      table(['Status', 'Description', 'Body'], Object.entries(op.responses ?? {}).map(([status, response]) => {
        const r = resolve(doc, response);
        const content = r.content ?? {};
        const [type, media] = Object.entries(content)[0] ?? [];
        return h('tr', {}, h('td', {}, code(status)), h('td', {}, r.description ?? ''),
          h('td', {}, media ? [typeOf(media.schema), type === 'application/json' ? '' : ` (${type})`] : '—'));
      }), { class: 'api-responses' })));
}

function requestBody(doc, body) {
  if (!body) return null;
  const b = resolve(doc, body);
  const media = b.content?.['application/json'];
  const schema = media?.schema ? resolve(doc, media.schema) : null;
  return [h('h3', {}, 'Request body', b.required ? '' : ' (optional)'),
    b.description ? h('p', {}, b.description) : null,
    media?.schema?.$ref ? h('p', {}, typeOf(media.schema)) : null,
    schema?.properties ? properties(schema) : (schema?.description ? h('p', {}, schema.description) : null)];
}

function schemas(doc) {
  return h('section', { class: 'card', id: 'api-schemas' }, h('h2', {}, 'Schemas'),
    Object.entries(doc.components.schemas ?? {}).map(([name, schema]) => h('div', { id: `schema-${name}`, class: 'api-schema' },
      h('h3', {}, name),
      schema.description ? h('p', { class: 'hint' }, schema.description) : null,
      schema.properties ? properties(schema) : h('p', {}, typeOf(schema)))));
}

function properties(schema) {
  const required = new Set(schema.required ?? []);
  return table(['Field', 'Type', 'Description'], Object.entries(schema.properties).map(([name, p]) => h('tr', {},
    h('td', {}, code(name), required.has(name) ? h('span', { class: 'tag' }, ' required') : null),
    h('td', {}, typeOf(p)), h('td', {}, p.description ?? ''))));
}

/** A schema as a short readable type, linking the named schemas it uses. */
function typeOf(schema) {
  if (!schema) return 'any';
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop();
    return h('a', { href: `#schema-${name}` }, name);
  }
  if (schema.allOf) {
    const list = schema.allOf.find((s) => s.$ref === '#/components/schemas/List');
    const items = schema.allOf.find((s) => s.properties?.items)?.properties.items.items;
    if (list && items) return ['List of ', typeOf(items)];
    return schema.allOf.map((s, i) => [i ? ' + ' : '', typeOf(s)]);
  }
  if (schema.const !== undefined) return code(JSON.stringify(schema.const));
  if (schema.enum) return ['one of ', schema.enum.map((v, i) => [i ? ', ' : '', code(JSON.stringify(v))])];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any'];
  return types.map((t, i) => [i ? ' or ' : '', t === 'array' ? ['array of ', typeOf(schema.items)] : t]);
}

function resolve(doc, node) {
  if (!node?.$ref) return node ?? {};
  return node.$ref.slice(2).split('/').reduce((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc) ?? {};
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

