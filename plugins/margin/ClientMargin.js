// Client Margin's legends follow Fava's bar chart mode and paint the stacks in stable colours,
// as Recurring Revenue's do.
export { default } from "./RecurringRevenue.js";
