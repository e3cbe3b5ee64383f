// The Utilization page's legends follow Fava's bar chart mode as Recurring Revenue's do.
export { default } from "./RecurringRevenue.js";
