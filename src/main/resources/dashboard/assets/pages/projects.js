// /projects: every project, and a form to create one.
import { listAll, post } from '../api.js';
import { h, field, select, table, time, act, code } from '../ui.js';
import { navigate } from '../nav.js';
import { TRANSFER_BEHAVIORS, newSecretKeys } from './project.js';

export async function projectsPage(main) {
  document.title = 'Projects · Substate';
  main.append(h('h1', {}, 'Projects'));
  const projects = await listAll('/v2/projects');
  main.append(projects.length === 0
    ? h('p', { class: 'empty' }, 'No project yet. Create the first one below.')
    : table(['Name', 'Project ID', 'Transfer behavior', 'Created'], projects.map((p) => h('tr', {},
      h('td', {}, h('a', { href: `/projects/${encodeURIComponent(p.id)}` }, p.name)),
      h('td', {}, code(p.id)),
      h('td', {}, TRANSFER_BEHAVIORS.find(([value]) => value === p.transfer_behavior)?.[1] ?? p.transfer_behavior),
      h('td', {}, time(p.created_at)))), { id: 'projects' }));
  main.append(createForm());
}

function createForm() {
  const name = h('input', { type: 'text', id: 'new-project-name', required: true, maxlength: 200 });
  const behavior = select({ id: 'new-project-transfer-behavior' }, TRANSFER_BEHAVIORS, 'transfer');
  const slot = h('div', { class: 'form-message' });
  const button = h('button', { type: 'submit', id: 'create-project' }, 'Create project');
  const form = h('form', { class: 'card', 'aria-labelledby': 'new-project-title' },
    h('h2', { id: 'new-project-title' }, 'New project'),
    field('Project name', name),
    field('Transfer behavior', behavior, 'What happens when a purchase already owned by another App User ID is '
      + 'restored by a new one.'),
    slot, button);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(button, slot, async () => {
      const project = await post('/v2/projects', { name: name.value.trim(), transfer_behavior: behavior.value });
      newSecretKeys.set(project.id, project.secret_api_key);
      navigate(`/projects/${encodeURIComponent(project.id)}`);
    });
  });
  return form;
}
