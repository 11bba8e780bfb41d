// The admin API client. The admin token lives in sessionStorage: it is gone when the tab closes, and logout clears it.
const TOKEN_KEY = 'substate.admin_token';

export const adminToken = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An error answered by the API, with its stable code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Sends one request with the admin token (or `token` when given, for the login check). */
export async function request(method, path, body, token = adminToken.get()) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, 'network_error', 'The Substate server did not answer. Is it running?');
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data?.code ?? `http_${response.status}`,
      data?.message ?? (text || response.statusText));
    // A token that stopped working (reset, or another server) sends the person back to the login form.
    if (response.status === 401 && token === adminToken.get()) {
      window.dispatchEvent(new CustomEvent('substate:unauthorized'));
    }
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path) => request('DELETE', path);

/** Every item of a paged list, following `next_page` (bounded, the dashboard lists are small). */
export async function listAll(path, maxPages = 20) {
  const items = [];
  let next = path + (path.includes('?') ? '&' : '?') + 'limit=100';
  for (let page = 0; next && page < maxPages; page++) {
    const data = await get(next);
    items.push(...data.items);
    next = data.next_page ? data.next_page + (data.next_page.includes('limit=') ? '' : '&limit=100') : null;
  }
  return items;
}

/** Whether the server has no such route: an endpoint of a newer Substate. */
export function isUnavailable(error) {
  return error instanceof ApiError && error.status === 404 && error.code === 'route_not_found';
}

/** Path segments are user data (App User IDs may hold ':' or '$'): always encode them. */
export function path(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(values[i]) : ''), '');
}
