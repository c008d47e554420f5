/**
 * The look the console's traces pages share with the status page: one inline stylesheet (the
 * pages fetch nothing but the console's own API; nothing outside the machine is reachable).
 */

/** Colours of the lab's services in traces: fixed, so a service looks the same on every trace. */
export const SERVICE_COLOURS: Record<string, string> = {
  traffic: '#8c6bb1',
  edge: '#6b7280',
  gateway: '#2563eb',
  orders: '#ea8a1a',
  fulfillment: '#16a34a',
  notifications: '#0891b2',
};
/** Colours for any other service, picked by a hash of its name. Never red: red means error. */
export const OTHER_COLOURS = ['#9d7660', '#d4a106', '#db2777', '#4b5563', '#65a30d', '#7c3aed'];

/** The stylesheet of the traces pages. */
export const CONSOLE_CSS = `
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
  body { max-width: 72rem; margin: 1.25rem auto; padding: 0 1rem; }
  h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.05rem; margin: 1.5rem 0 .4rem; display: flex; gap: .6rem; align-items: baseline; }
  nav { display: flex; gap: 1rem; font-size: .9rem; margin-bottom: .6rem; }
  a { color: #1d4ed8; }
  .muted { color: #667; font-size: .88rem; font-weight: normal; }
  .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
  .notice { background: #fff7e6; border: 1px solid #f3c97a; border-radius: .4rem; padding: .6rem .8rem; margin: .8rem 0; }
  .notice.error { background: #fdecec; border-color: #f2a7a7; }
  button { font: inherit; padding: .3rem .9rem; border: 1px solid #99a; border-radius: .4rem; background: #fff; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; box-shadow: 0 1px 2px #0002; border-radius: .4rem; }
  th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #e3e5ea; white-space: nowrap; }
  th { font-size: .8rem; color: #667; font-weight: 600; }
  td.num, th.num { text-align: right; }
  tr.link { cursor: pointer; }
  tr.link:hover td { background: #f0f4ff; }
  .s5 { color: #b91c1c; font-weight: 600; }
  .s4 { color: #b45309; }
  .empty td { color: #667; text-align: center; padding: 1rem; }
`;
