// Registers every built-in flow action by importing the module that defines it. Domains add their
// own line here; the linter and runtime then find the action by the name written in YAML.
import "../support/actions/faqAnswer";
import "../contacts/actions/setLocale";
import "../contacts/actions/setAttributes";
import "../contacts/actions/linkWeb";
import "../loyalty/actions/balance";
import "../loyalty/actions/register";
import "../loyalty/actions/redeem";
import "../referrals/actions/referralActions";
import "../loyalty/loadRules"; // registers flows/loyalty.yaml as a file kind the flow linter checks
import "../support/actions/escalate";
import "../support/actions/asksForPerson";
import "../support/actions/cancel";
import "../jobs/actions/scheduleEvent";
import "../feedback/actions/recordSurvey";
import "../feedback/actions/ideaActions";
import "../feedback/actions/reviewActions";
import "../privacy/actions/forgetMe";
import "../marketing/actions/consent";
import "./events";
import "../flows/actions/menuCommands";
