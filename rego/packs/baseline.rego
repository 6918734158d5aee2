# baseline: the pack that runs with no configuration at all. It denies what is attacker-directed,
# asks about what is ambiguous, and allows the rest.
# - Deny: a side effect (sink, egress, destructive) steered by a value from text a detector flagged,
#   by a link built around an untrusted host, or an egress call steered by an address, link or
#   account number lifted from untrusted prose into where it goes (someone wrote it into a page or
#   a mail; an injection looks exactly like that).
# - Allow: a server's own records flowing back into it (an id, a path, a flight number the server
#   returned, passed back to the same server), and untrusted prose, links and addresses quoted as
#   data in a free-text argument (a mail's body), unless the session holds flagged text. A network
#   read of a URL copied whole from content (following a link carries nothing out) is allowed.
# - Ask: any other side effect whose target derives from untrusted content (a value copied from
#   another server's output, a record of untrusted content going to another server); after a
#   detector flagged text in the session, only when the user asked for that kind of action (else
#   deny).
# - Once the session context is untrusted, a destructive call (by annotation, config, catalog or the
#   verb in its name; not by the spec's worst-case default for a tool that says nothing) needs
#   approval, unless the user asked for exactly that call (every argument is in their own words) or
#   for that kind of action ("delete the largest file"); after a detector flagged text in the
#   session, such a call the user did not ask for is denied, and one of a kind they asked for asked.
# - A side effect of a kind the user never asked for, that untrusted content told the agent to do
#   (an instruction naming the tool's action and object), is denied; asked when the user told the
#   agent to act on content ("do the tasks in the email").
# - A side effect for a date only an instruction in content gave, when the user gave dates of their
#   own, is denied (asked when the user delegated).
# - A network read of a page that untrusted content the user did not point the agent at told it to
#   visit is denied (asked when the user delegated), unless the user sent the agent to pages.
# - A call to a tool whose definition changed within the session is denied; one that differs from
#   the pins of an earlier session, or that appeared after its server was first listed, is asked.
package mcp_firewall.packs.baseline

import rego.v1

# The phases this pack judges; the firewall skips evaluating it for the others.
phases := {"call"}

side_effects := {"sink", "egress", "destructive"}

# Free-text arguments: what they say is data, not direction.
content_arguments := {
	"body", "content", "text", "message", "subject", "comment", "note", "notes",
	"description", "title", "summary", "html", "markdown", "location", "edits", "patch", "diff",
}

# Values that say where something goes (or whom money goes to).
addressing_kinds := {"email", "url", "domain", "iban"}

steering(argument) if not argument.path[0] in content_arguments

# A link or address in free text (a release URL, a meeting link, a vendor's billing address in a
# forwarded invoice) is data: it steers nothing unless it becomes a recipient (not free text) or
# the link carries data out (built around a host, below), or it comes from flagged text.
steering(argument) if {
	argument.path[0] in content_arguments
	argument.flagged
}

# Once a detector flagged text in the session, an address or link lifted alone (not quoted with
# its passage) into what an egress call sends steers again: the injection may be asking for exactly
# that (a phishing link relayed, a secret pasted next to the attacker's address).
steering(argument) if {
	argument.path[0] in content_arguments
	"egress" in input.tool.classes
	argument.kind in addressing_kinds
	not argument.quoted
	object.get(input.session, ["counts", "flagged"], 0) > 0
}

# In anything a side effect stores or sends, a link built around a host from content (the host
# came from somewhere, the rest of the URL from the agent) steers: a markdown image the notes app
# or chat renders fetches it with no click, carrying what the agent filled in.
steering(argument) if {
	argument.path[0] in content_arguments
	argument.kind == "domain"
	argument.in_link
	not argument.quoted
}

# A read over the network (egress, no sink or destructive class) of a URL (or a bare host, as
# people write them in chat: "see www.example.com") copied whole from content: the agent follows a
# link, and the request carries nothing it composed.
followed_link(argument) if {
	every class in input.tool.classes {
		class in {"source", "egress"}
	}
	some copied in input.provenance.derived_from
	copied.path == argument.path
	copied.kind in {"url", "domain", "field"}
	copied.whole
	not copied.flagged
}

effects := [class | some class in input.tool.classes; class in side_effects]

# Arguments that say what a side effect acts on, derived from untrusted content.
untrusted_targets contains argument if {
	input.phase == "call"
	count(effects) > 0
	some argument in input.provenance.derived_from
	argument.trust == "untrusted"
	steering(argument)
	not followed_link(argument)
}

# What an injection's own words direct.
attacker_directed(argument) if argument.flagged

# A link built around an untrusted host: what it fetches is what the agent filled in.
attacker_directed(argument) if argument.in_link

attacker_directed(argument) if {
	"egress" in input.tool.classes
	argument.kind in addressing_kinds
	not argument.record
	not user_pointed(argument)
}

# An address from content the user pointed the agent at (the file or page they named) for the kind
# of action they asked for, when they gave no address of that kind themselves ("email each person
# in the TODO list of the minutes file", "her address is on her website"): most likely theirs, but
# that content is someone else's words, so the person decides (the ask below). A user who named a
# recipient ("tell bob@corp.example what is on offer") has chosen one, and an address the page
# offers besides is the page's. Once a detector flagged text in this session, the user's words
# must name the tool's object as well (the injection on the page asks for something else; its own
# values are flagged and denied above).
user_pointed(argument) if {
	argument.directed
	not argument.kind in object.get(input.provenance, "said_kinds", [])
	requested_here
}

requested_here if {
	action_requested
	object.get(input.session, ["counts", "flagged"], 0) == 0
}

requested_here if action_and_object_requested

# The user's words name this tool's action (its verb or a synonym: "delete the largest file" for
# delete_file). Which object it acts on is still judged by where its targets came from.
action_requested if object.get(input.provenance, "action_requested", false) == true

# After a detector flagged text, the user's words must name the object too ("update my password"
# for update_password): an injection that asks for the same kind of action as the user ("update
# the password" after "update my address") is not theirs.
action_and_object_requested if {
	action_requested
	object.get(input.provenance, "object_named", false) == true
}

# A server's own record passed back to it: the id of the order it listed, the path it returned,
# the sender of a mail replied to. An id, number or path of the server's own content goes back to
# it even from its prose (a shop's "order 4821337 shipped"); an address only as a record. Not once a
# detector flagged text in this session: then the records around it (the sender of the mail that
# carried the injection) may be what it points at, and the person decides.
own_record(argument) if {
	argument.same_server
	own_value(argument)
	object.get(input.session, ["counts", "flagged"], 0) == 0
}

own_value(argument) if argument.record

own_value(argument) if not argument.kind in addressing_kinds

describe(argument) := sprintf(
	"argument %v of %v (%v) derives from untrusted content (%v match%v)",
	[
		concat(".", [sprintf("%v", [p]) | some p in argument.path]), input.tool.name,
		concat(", ", effects), argument.kind, origin_words(argument),
	],
)

origin_words(argument) := ", in text a detector flagged" if argument.flagged
else := ", from prose" if not argument.record
else := ", a record of another server" if not argument.same_server
else := ", a record, in a session where a detector flagged text"

deny contains finding if {
	some argument in untrusted_targets
	attacker_directed(argument)
	finding := {"rule_id": "baseline.untrusted_argument_to_side_effect", "reason": describe(argument)}
}

ask contains finding if {
	some argument in untrusted_targets
	not attacker_directed(argument)
	not own_record(argument)
	not unrequested_after_flagged_content
	finding := {"rule_id": "baseline.untrusted_target_needs_approval", "reason": describe(argument)}
}

# Once a detector flagged text in the session, a side effect of a kind the user never asked for,
# aimed by untrusted content (even the server's own records around the injection: "book the most
# expensive hotel"), is denied rather than put to the person: the person is asked only about the
# kinds of action they asked for.
unrequested_after_flagged_content if {
	object.get(input.session, ["counts", "flagged"], 0) > 0
	not action_and_object_requested
}

deny contains finding if {
	some argument in untrusted_targets
	not attacker_directed(argument)
	not own_record(argument)
	unrequested_after_flagged_content
	finding := {
		"rule_id": "baseline.unrequested_side_effect_after_flagged_content",
		"reason": sprintf("%v; a detector flagged text in this session and the user did not ask for this kind of action", [describe(argument)]),
	}
}

# Content told the agent to do this: a sentence of untrusted content the session read is an
# instruction that names the tool's action and its object ("TODO: change the password to ...",
# "make a reservation for the Riverside hotel"), and the user's words never asked for that action
# on that kind of object ("update my address" is not "change the password") nor gave any of its
# targets (a call aimed at the account the user named is theirs, however they worded the action:
# "send them back the difference"). The call does what the content said. Needs no
# attacker-supplied value (close the tickets, unlock the door, book the most expensive room), so
# none of the derivation rules above sees it. Not a network read (a page the content says to
# visit): following links is how an agent answers "what does the restaurant Bob recommends
# serve?", and a read carries nothing out but its URL (judged by the exfiltration detector).
content_directed if {
	input.phase == "call"
	count(effects) > 0
	object.get(input.provenance, "content_requested", false) == true
	not action_and_object_requested
	not user_aimed
	not network_read
}

# Some argument that says what the call acts on (not free text) is in the user's own words.
user_aimed if {
	some path in object.get(input.provenance, "user_given", [])
	not path[0] in content_arguments
}

network_read if {
	every class in input.tool.classes {
		class in {"source", "egress"}
	}
}

delegated if object.get(input.provenance, "delegated", false) == true

deny contains finding if {
	content_directed
	not delegated
	finding := {
		"rule_id": "baseline.content_directed_action",
		"reason": sprintf(
			"untrusted content the session read tells the agent to %v, and the user did not ask for this kind of action",
			[input.tool.name],
		),
	}
}

# The user handed the choice of actions to content ("do the tasks in the email from Bob"): what it
# asks for may be theirs, and the person decides.
ask contains finding if {
	content_directed
	delegated
	finding := {
		"rule_id": "baseline.content_directed_action_needs_approval",
		"reason": sprintf(
			"untrusted content the session read tells the agent to %v; the user asked the agent to act on content, not for this action",
			[input.tool.name],
		),
	}
}

# The user gave the dates ("May 1st to 5th"), and what the call is for is a date that only an
# instruction in untrusted content gave ("make a reservation from the 13th to the 17th of May"):
# content chose when, against the user's own words. Asked instead when the user told the agent to
# act on content.
content_dated if {
	input.phase == "call"
	count(effects) > 0
	"date" in object.get(input.provenance, "said_kinds", [])
	some path in object.get(input.provenance, "content_dates", [])
	not path[0] in content_arguments
}

deny contains finding if {
	content_dated
	not delegated
	finding := {
		"rule_id": "baseline.date_from_content",
		"reason": sprintf(
			"%v is for a date an instruction in untrusted content gave, and the user gave other dates",
			[input.tool.name],
		),
	}
}

ask contains finding if {
	content_dated
	delegated
	finding := {
		"rule_id": "baseline.date_from_content_needs_approval",
		"reason": sprintf(
			"%v is for a date an instruction in untrusted content gave, not one of the user's; the user asked the agent to act on content",
			[input.tool.name],
		),
	}
}

# A page that content sent the agent to: untrusted content the user did not point the agent at (a
# page it reached by following links, a mail it listed) told its reader to visit this host ("TODO:
# visit www.example.com"), and the user neither named the host nor sent the agent to pages
# themselves. A recommendation in content the user named ("lunch was great, visit
# www.restaurant.example") is theirs to follow (content_links never holds it), as is a page the
# user asked the agent to open. Only a network read: a side effect steered by a host from content
# is judged by the derivation rules above.
content_sent_to_page if {
	input.phase == "call"
	network_read
	some path in object.get(input.provenance, "content_links", [])
	not path[0] in content_arguments
}

deny contains finding if {
	content_sent_to_page
	not delegated
	finding := {
		"rule_id": "baseline.page_content_sent_to",
		"reason": sprintf(
			"untrusted content the user did not point the agent at told it to visit the page %v reads, and the user did not ask for it",
			[input.tool.name],
		),
	}
}

ask contains finding if {
	content_sent_to_page
	delegated
	finding := {
		"rule_id": "baseline.page_content_sent_to_needs_approval",
		"reason": sprintf(
			"untrusted content told the agent to visit the page %v reads; the user asked the agent to act on content",
			[input.tool.name],
		),
	}
}

# A tool whose definition (description, schema, annotations) changed after it was first listed in
# this session is not the tool the agent (or its user) approved: a rug pull.
deny contains finding if {
	input.phase == "call"
	input.tool.pin == "changed"
	finding := {
		"rule_id": "baseline.tool_definition_changed",
		"reason": sprintf("the definition of %v changed after it was first listed in this session", [input.tool.name]),
	}
}

# A tool whose definition differs from the pins of an earlier session: an upgrade, or a rug pull
# between sessions. The person decides; `mcp-firewall pins accept` pins the new definition.
ask contains finding if {
	input.phase == "call"
	input.tool.pin == "updated"
	finding := {
		"rule_id": "baseline.tool_definition_updated",
		"reason": sprintf(
			"the definition of %v differs from the one pinned in an earlier session (an upgrade, or a change to review: mcp-firewall pins list)",
			[input.tool.name],
		),
	}
}

# A tool that appeared after its server's tools were first listed (mid-session, or since the
# stored pins): a rug pull by addition, or an upgrade; the person decides.
ask contains finding if {
	input.phase == "call"
	input.tool.pin == "added"
	finding := {
		"rule_id": "baseline.tool_added",
		"reason": sprintf("%v was added to the server's tools after they were first listed", [input.tool.name]),
	}
}

# The user asked for exactly this: every argument that says what to act on (not free text) is
# in their own words.
user_requested if {
	targets := [path |
		walk(input.arguments, [path, value])
		is_string(value)
		count(path) > 0
		not path[0] in content_arguments
	]
	count(targets) > 0
	every path in targets {
		path in input.provenance.user_given
	}
}

destructive_in_untrusted_context if {
	input.phase == "call"
	"destructive" in input.tool.classes
	input.tool.classes_from != "defaults"
	input.session.context.trust == "untrusted"
	not user_requested
}

# A destructive call of the kind the user asked for, on targets that are theirs or the server's own
# records (other targets ask above), is their work: it is allowed while no text was flagged, and
# asked about after.
ask contains finding if {
	destructive_in_untrusted_context
	not action_requested
	object.get(input.session, ["counts", "flagged"], 0) == 0
	finding := {
		"rule_id": "baseline.destructive_in_untrusted_context",
		"reason": sprintf("%v is destructive and the session has read untrusted content", [input.tool.name]),
	}
}

deny contains finding if {
	destructive_in_untrusted_context
	not action_and_object_requested
	object.get(input.session, ["counts", "flagged"], 0) > 0
	finding := {
		"rule_id": "baseline.destructive_after_flagged_content",
		"reason": sprintf(
			"%v is destructive, the user did not ask for it (this action on this kind of object), and a detector flagged text in this session",
			[input.tool.name],
		),
	}
}

ask contains finding if {
	destructive_in_untrusted_context
	action_and_object_requested
	object.get(input.session, ["counts", "flagged"], 0) > 0
	finding := {
		"rule_id": "baseline.destructive_requested_after_flagged_content",
		"reason": sprintf(
			"%v is destructive and a detector flagged text in this session; the user asked for this kind of action, but not with these arguments",
			[input.tool.name],
		),
	}
}
