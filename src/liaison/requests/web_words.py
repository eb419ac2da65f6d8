"""The words the request pages use for codes: kinds, states, steps, events, messages, what is
due, reminders. msgids of the "web" catalog, translated where they are shown."""

from __future__ import annotations

from liaison.requests.offered import Step
from liaison.requests.table import Action, Status
from liaison.web.templating import N_

KINDS = {
    "mla": N_("Mutual legal assistance"),
    "preservation": N_("Expedited preservation of stored data"),
    "disclosure": N_("Expedited disclosure of preserved traffic data"),
    "extradition": N_("Extradition"),
    "sentenced_person_transfer": N_("Transfer of sentenced persons"),
    "proceedings_transfer": N_("Transfer of criminal proceedings"),
    "spontaneous": N_("Spontaneous information"),
}
SUBTYPES = {
    "stored_data": N_("Stored electronic data (art. 44)"),
    "real_time_traffic": N_("Real-time collection of traffic data (art. 45)"),
    "interception": N_("Interception of content data (art. 46)"),
    "assets": N_("Freezing, seizure and confiscation (art. 50-52)"),
    "other": N_("Other assistance (art. 40)"),
    "provisional_arrest": N_("Provisional arrest"),
}
STATUSES = {
    Status.draft: N_("Draft"),
    Status.awaiting_approval: N_("Awaiting approval"),
    Status.approved: N_("Approved, not sent"),
    Status.sent: N_("Sent"),
    Status.received: N_("Received"),
    Status.acknowledged: N_("Acknowledged"),
    Status.in_execution: N_("In execution"),
    Status.clarification_requested: N_("Clarification requested"),
    Status.partially_executed: N_("Partially executed"),
    Status.executed: N_("Executed"),
    Status.refused: N_("Refused"),
    Status.postponed: N_("Postponed"),
    Status.withdrawn: N_("Withdrawn"),
    Status.closed: N_("Closed"),
}
# How a state looks in a list: still with us, waiting for someone else, done, over.
STATUS_TONE = {
    Status.draft: "waiting",
    Status.awaiting_approval: "waiting",
    Status.approved: "waiting",
    Status.sent: "open",
    Status.received: "open",
    Status.acknowledged: "open",
    Status.in_execution: "open",
    Status.clarification_requested: "waiting",
    Status.partially_executed: "open",
    Status.executed: "done",
    Status.refused: "ended",
    Status.postponed: "waiting",
    Status.withdrawn: "ended",
    Status.closed: "ended",
}
# The button of each step, and the heading of the page that confirms it.
STEPS = {
    Step.submit: N_("Submit for approval"),
    Step.approve: N_("Approve and sign"),
    Step.return_to_draft: N_("Return to the drafter"),
    Step.send: N_("Send"),
    Step.acknowledge: N_("Acknowledge receipt"),
    Step.start: N_("Start execution"),
    Step.request_clarification: N_("Ask for clarification"),
    Step.clarify: N_("Send the clarification"),
    Step.respond_partially: N_("Respond in part"),
    Step.respond: N_("Respond"),
    Step.refuse: N_("Refuse"),
    Step.postpone: N_("Postpone"),
    Step.resume: N_("Resume execution"),
    Step.withdraw: N_("Withdraw"),
    Step.close: N_("Close"),
    Step.consult: N_("Consult the other authority"),
    Step.export: N_("Export for domestic use"),
    Step.forward: N_("Forward to a third authority"),
    Step.authorise: N_("Authorise a further use"),
    Step.extend: N_("Ask to extend the preservation"),
    Step.warn: N_("Warn that the data may not remain available"),
    Step.prosecution_submission: N_("Record the submission for prosecution"),
    Step.prosecution_outcome: N_("Report the outcome of the prosecution"),
}
# What confirming a step sends or does, said before it is done.
CONSEQUENCES = {
    Step.submit: N_("The request goes to a supervisor of your authority for approval. You "
                    "cannot change it while it waits."),
    Step.approve: N_("You sign the request with your authority's key. It can then be sent."),
    Step.return_to_draft: N_("The request goes back to its drafter with your reason."),
    Step.send: N_("The signed request is sent to the requested authority."),
    Step.acknowledge: N_("The requesting authority is told that you received the request."),
    Step.start: N_("The requesting authority is told that execution has started."),
    Step.request_clarification: N_("Your question is sent to the requesting authority; "
                                   "execution waits for its answer."),
    Step.clarify: N_("Your answer is sent to the requested authority."),
    Step.respond_partially: N_("The requesting authority is told that part of the "
                               "assistance was given."),
    Step.respond: N_("The requesting authority is told that the request was executed."),
    Step.refuse: N_("The refusal, its ground and your reasons are sent to the requesting "
                    "authority. This cannot be undone."),
    Step.postpone: N_("The postponement, its ground and your reasons are sent to the "
                      "requesting authority."),
    Step.resume: N_("The requesting authority is told that execution has resumed."),
    Step.withdraw: N_("The requested authority is told that the request is withdrawn, "
                      "with your reason."),
    Step.close: N_("The request is closed on both sides."),
    Step.consult: N_("Your message is sent to the other authority and kept with the request."),
    Step.export: N_("The request and its results are released for use at home, if the "
                    "other side's conditions allow it. The export is recorded."),
    Step.forward: N_("The request and its results are sent to the authority you name, if "
                     "the other side authorised it. The forwarding is recorded."),
    Step.authorise: N_("The other authority is told that you allow this one further use."),
    Step.extend: N_("The requested authority is asked to keep the data longer."),
    Step.warn: N_("The requesting authority is told at once, with your explanation."),
    Step.prosecution_submission: N_("The requesting authority is told where the case was "
                                    "submitted for prosecution."),
    Step.prosecution_outcome: N_("The requesting authority is told the outcome."),
}  # fmt: skip
DONE = {step.value: N_("Done. The request page shows what happened.") for step in Step}
# Events of the history that are not transitions (the table's actions are STEPS).
EVENTS = {
    "receive": N_("Received"),
    "return_to_draft": N_("Returned to the drafter"),
    "consult": N_("Consultation"),
    "extension_requested": N_("Extension of the preservation asked for"),
    "extend": N_("Preservation extended"),
    "warning": N_("Warning: the data may not remain available"),
    "prosecution_submitted": N_("Case submitted for prosecution"),
    "prosecution_outcome": N_("Outcome of the prosecution"),
}
MESSAGES = {
    "request.transmit": N_("the request"),
    "request.action": N_("a step proposed"),
    "request.state": N_("a change of state"),
    "request.consultation": N_("a consultation"),
    "request.preservation": N_("a preservation message"),
    "request.prosecution": N_("a prosecution report"),
    "request.authorisation": N_("an authorisation"),
    "note": N_("a note"),
    "evidence.package": N_("an evidence package"),
    "evidence.package.verified": N_("a confirmation of evidence received"),
}
DUE = {
    "acknowledgment": N_("Acknowledgment of receipt"),
    "response": N_("Response"),
    "preservation_expiry": N_("End of the preservation"),
    "prosecution_submission": N_("Submission of the case for prosecution"),
    "prosecution_outcome": N_("Report of the prosecution's outcome"),
}
REMINDERS = {
    "reminder": N_("Reminder"),
    "overdue": N_("Overdue"),
    "escalation": N_("Escalation to supervisors"),
    "expiry_warning": N_("The preservation ends soon"),
    "warning": N_("Warning from the requested authority"),
    "new_request": N_("New request"),
}
CONDITIONS = {
    "confidential": N_("Confidential"),
    "no_user_notice": N_("No notice to the user"),
    "speciality": N_("Speciality: use only in this proceeding"),
    "no_onward_transfer": N_("No onward transfer without authorisation"),
}
# How each kind of timeline entry is headed (requests.timeline); %(what)s is worded by `what`.
ENTRIES = {
    "sent": N_("Sent: %(what)s"),
    "delivered": N_("Delivered: %(what)s"),
    "pending": N_("Waiting to be delivered: %(what)s"),
    "refused": N_("Refused by the receiving node: %(what)s"),
    "failed": N_("Could not be delivered: %(what)s"),
    "received": N_("Received: %(what)s"),
    "due": N_("Due: %(what)s"),
    "overdue": N_("Overdue: %(what)s"),
}


# What a step of the table did, as the timeline says it (the buttons say what it will do).
DONE_STEPS = {
    Action.submit: N_("Submitted for approval"),
    Action.approve: N_("Approved and signed"),
    Action.send: N_("Sent"),
    Action.acknowledge: N_("Receipt acknowledged"),
    Action.start: N_("Execution started"),
    Action.request_clarification: N_("Clarification asked for"),
    Action.clarify: N_("Clarification given"),
    Action.respond_partially: N_("Responded in part"),
    Action.respond: N_("Responded"),
    Action.refuse: N_("Refused"),
    Action.postpone: N_("Postponed"),
    Action.resume: N_("Execution resumed"),
    Action.withdraw: N_("Withdrawn"),
    Action.close: N_("Closed"),
}


def event_label(action: str) -> str:
    """An event of the history: a step of the table as done, or another event."""
    if action in EVENTS:
        return EVENTS[action]
    try:
        return DONE_STEPS[Action(action)]
    except (ValueError, KeyError):
        return action


def entry_what(kind: str, what: str) -> str:
    """The msgid of what an entry is about (a message kind, what is due, a reminder)."""
    if kind in ("due", "overdue"):
        return DUE.get(what, what)
    if kind == "reminder":
        return REMINDERS.get(what, what)
    return MESSAGES.get(what, what)
