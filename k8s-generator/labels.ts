/**
 * The labels deploy.yml selects by: `app.kubernetes.io/name` is a function's app
 * id (or `migrate`), so `kubectl apply -l` can apply one function's objects out
 * of the rendered overlay; everything without a component label is platform.
 */
export type Component = "function" | "migration";

const NAME_LABEL = "app.kubernetes.io/name";
const COMPONENT_LABEL = "app.kubernetes.io/component";

export function labelsOf(name: string, component: Component): Record<string, string> {
  return { [NAME_LABEL]: name, [COMPONENT_LABEL]: component };
}

/** Selectors are immutable on a Deployment, so they hold only the one label that never changes. */
export function selectorOf(name: string): Record<string, string> {
  return { [NAME_LABEL]: name };
}
