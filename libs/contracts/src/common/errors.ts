import type { MoneyRuleCode } from './money';

/**
 * Every business-rule rejection a decider may answer, with its default message. The code is the
 * stable name of the rule: clients switch on it, the API document lists it, and tests assert it.
 * Deciders usually pass a message with the facts of the case; the default stands when they do not.
 */
export const REJECTION_MESSAGES = {
  // Households (enrolment, and every context that needs an active household)
  household_not_found: 'the household is not enrolled',
  household_inactive: 'the household was withdrawn',
  household_already_enrolled: 'the household is already enrolled',
  essn_already_enrolled: 'this ESSN id is already enrolled with another household',
  consent_required: 'the participant must give informed consent',
  participant_not_working_age: 'the participant is outside the supported working age',
  capacity_reached: 'the programme is at its capacity of active households',
  household_personal_data_erased: "the household's personal data was erased; it cannot take a new participant",
  personal_data_already_erased: "the household's personal data was already erased",
  // Assessment
  duplicate_assessment: 'this market assessment is already recorded',
  plan_already_approved: 'the household already has an approved plan',
  skills_profile_missing: 'the household has no skills profile yet',
  market_assessment_missing: "no market assessment of the household's district",
  sector_not_viable: 'the market assessment does not list this sector',
  unknown_catalogue_item: 'the item is not in the approved catalogue',
  duplicate_kit_item: 'an item appears twice in the kit',
  asset_ceiling_exceeded: 'the kit costs more than the per-household ceiling',
  // Asset transfer
  duplicate_delivery: 'this delivery is already recorded',
  plan_not_found: 'the household has no approved livelihood plan',
  item_not_in_plan: "the item is not in the household's plan",
  quantity_exceeds_plan: 'more than the plan has left of this item',
  unit_cost_above_ceiling: "the unit cost is above the item's catalogue ceiling",
  unknown_delivery: 'the delivery is not recorded',
  already_acknowledged: 'the delivery was already acknowledged',
  duplicate_receipt: 'this receipt is already recorded',
  // Training
  unknown_session: 'the session is not recorded',
  duplicate_session: 'this session is already recorded',
  duplicate_attendance: 'this attendance is already recorded',
  duplicate_visit: 'this visit is already recorded',
  duplicate_nudge: 'this nudge is already recorded',
  // Evaluation
  duplicate_survey: 'this survey is already recorded',
  duplicate_round: 'the household already has a survey of this round',
  baseline_missing: 'the household has no baseline survey',
  endline_too_early: 'the endline is too soon after enrolment',
  // Grant
  grant_already_signed: 'the grant is already signed',
  unknown_grant: 'no such grant',
  duplicate_line_code: 'a budget line code appears twice',
  line_code_taken: 'the budget line code belongs to another grant',
  allocations_do_not_sum: 'the budget lines do not add up to the grant amount',
  duplicate_category_code: 'a disbursement category code appears twice',
  line_without_category: 'a budget line is in no disbursement category',
  line_in_two_categories: 'a budget line is in two disbursement categories',
  duplicate_component_code: 'a component code appears twice',
  unknown_budget_line: 'no such budget line',
  same_line: 'a reallocation moves money between two different lines',
  reallocation_below_used: 'the line would be left with less than it has committed and spent',
  insufficient_funds: 'the budget line has too little left',
  duplicate_commitment: 'this commitment is already recorded',
  unknown_commitment: 'no such commitment',
  commitment_exceeded: 'more than the commitment holds',
  commitment_line_mismatch: 'the commitment is on another budget line',
  duplicate_expenditure: 'this expenditure is already recorded',
  unknown_expenditure: 'no such expenditure',
  expenditure_already_reversed: 'the expenditure was already reversed',
  expenditure_already_paid: 'the expenditure was already paid',
  direct_payment_mismatch: 'the direct payment does not match the expenditure',
  amount_rounds_to_zero: 'the amount is less than one US cent',
  value_date_before_grant: 'the value date is before the grant was signed',
  period_outside_grant: 'the period lies outside the grant',
  period_outside_fiscal_year: 'the period lies outside the fiscal year',
  fiscal_year_start_not_quarter: 'a fiscal year starts on the first day of a quarter',
  fiscal_year_overlaps: 'the fiscal year overlaps another',
  duplicate_budget_entry: 'this budget entry is already recorded',
  duplicate_forecast_line: 'a forecast line appears twice',
  work_plan_exceeds_allocation: 'the work plan is above the allocation',
  // Money rules that span fields (also raised by the schemas)
  fx_rate_not_applicable: 'a USD amount takes no exchange rate other than "1"',
  fx_rate_required: 'an amount in another currency needs fxRateToUsd',
  amount_out_of_range: 'the amount is more US cents than can be counted exactly',
} as const satisfies Record<string, string> & Record<MoneyRuleCode, string>;

/** The code of a business-rule rejection: one of the catalogue's, checked by the compiler. */
export type RejectionCode = keyof typeof REJECTION_MESSAGES;

export const REJECTION_CODES = Object.keys(REJECTION_MESSAGES) as RejectionCode[];
