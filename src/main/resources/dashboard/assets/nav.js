// Client-side navigation, kept apart from main.js so pages can navigate without importing the entry module.
let renderCurrent = () => {};

export function onNavigate(render) {
  renderCurrent = render;
}

/** Goes to a dashboard page without reloading (a history entry is added). */
export function navigate(to) {
  if (to !== location.pathname + location.search) history.pushState({}, '', to);
  renderCurrent();
}
