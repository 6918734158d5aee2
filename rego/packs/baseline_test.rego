package mcp_firewall.packs.baseline_test

import rego.v1

import data.mcp_firewall.packs.baseline

call(classes, classes_from, derived, context_trust) := {
	"phase": "call",
	"tool": {"name": "send_email", "classes": classes, "classes_from": classes_from},
	"provenance": {"derived_from": derived},
	"session": {"context": {"trust": context_trust, "confidentiality": "public"}},
}

untrusted_to := [{"path": ["to"], "kind": "email", "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

internal_to := [{"path": ["to"], "kind": "email", "trust": "internal", "confidentiality": "private", "sources": [3], "servers": ["git"]}]

test_untrusted_value_into_egress_is_denied if {
	some f in baseline.deny with input as call(["source", "egress", "sink"], "catalog", untrusted_to, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_untrusted_value_into_read_only_tool_is_not_denied if {
	count(baseline.deny) == 0 with input as call(["source"], "annotations", untrusted_to, "untrusted")
}

test_internal_value_into_egress_is_not_denied if {
	count(baseline.deny) == 0 with input as call(["source", "egress"], "catalog", internal_to, "untrusted")
}

test_fresh_arguments_are_not_denied if {
	count(baseline.deny) == 0 with input as call(["source", "sink", "egress", "destructive"], "defaults", [], "untrusted")
}

test_declared_destructive_in_untrusted_context_asks if {
	some f in baseline.ask with input as call(["source", "sink", "destructive"], "annotations", [], "untrusted")
	f.rule_id == "baseline.destructive_in_untrusted_context"
}

test_assumed_destructive_does_not_ask if {
	count(baseline.ask) == 0 with input as call(["source", "sink", "destructive"], "defaults", [], "untrusted")
}

test_destructive_in_trusted_context_does_not_ask if {
	count(baseline.ask) == 0 with input as call(["source", "sink", "destructive"], "catalog", [], "internal")
}

test_results_are_not_judged_by_call_rules if {
	count(baseline.deny) == 0 with input as {"phase": "result", "tool": {"name": "x", "classes": ["sink"]}}
}

test_a_tool_whose_definition_changed_is_denied if {
	changed := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "add", "classes": ["source"], "classes_from": "annotations", "pin": "changed"}})
	some f in baseline.deny with input as changed
	f.rule_id == "baseline.tool_definition_changed"
}

test_a_pinned_tool_is_not_denied_for_its_definition if {
	pinned := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "add", "classes": ["source"], "classes_from": "annotations", "pin": "pinned"}})
	count(baseline.deny) == 0 with input as pinned
}

body_quote := [{"path": ["body"], "kind": "substring", "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

body_link := [{"path": ["body"], "kind": "url", "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

test_untrusted_prose_quoted_in_a_body_is_not_steering if {
	count(baseline.deny) == 0 with input as call(["source", "egress", "sink"], "catalog", body_quote, "untrusted")
}

test_an_untrusted_link_in_a_body_is_data if {
	inp := call(["source", "egress", "sink"], "catalog", body_link, "untrusted")
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_a_flagged_link_in_a_body_is_denied if {
	flagged := [object.union(body_link[0], {"flagged": true})]
	some f in baseline.deny with input as call(["source", "egress", "sink"], "catalog", flagged, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

copied_url := [{"path": ["url"], "kind": "url", "whole": true, "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

composed_url := [{"path": ["url"], "kind": "domain", "whole": false, "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

test_following_a_link_copied_whole_is_allowed if {
	count(baseline.deny) == 0 with input as call(["source", "egress"], "catalog", copied_url, "untrusted")
}

copied_host := [{"path": ["url"], "kind": "domain", "whole": true, "trust": "untrusted", "confidentiality": "public", "sources": [3]}]

test_following_a_bare_host_copied_whole_is_allowed if {
	inp := call(["source", "egress"], "catalog", copied_host, "untrusted")
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_following_a_flagged_bare_host_is_denied if {
	flagged := [object.union(copied_host[0], {"flagged": true})]
	some f in baseline.deny with input as call(["source", "egress"], "catalog", flagged, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_untrusted_prose_quoted_into_a_local_file_is_not_steering if {
	count(baseline.deny) == 0 with input as call(["source", "sink"], "catalog", [{"path": ["content"], "kind": "url", "trust": "untrusted", "confidentiality": "public", "sources": [3]}], "untrusted")
}

test_a_url_composed_around_an_untrusted_host_is_denied if {
	some f in baseline.deny with input as call(["source", "egress"], "catalog", composed_url, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_copied_link_into_a_sink_is_still_denied if {
	some f in baseline.deny with input as call(["source", "egress", "sink"], "catalog", copied_url, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_destructive_call_the_user_spelled_out_does_not_ask if {
	requested := object.union(
		call(["source", "sink", "destructive"], "annotations", [], "untrusted"),
		{"arguments": {"path": "/home/me/notes.md", "content": "..."}, "provenance": {"derived_from": [], "user_given": [["path"]]}},
	)
	count(baseline.ask) == 0 with input as requested
}

test_a_destructive_call_with_a_target_the_user_did_not_give_asks if {
	composed := object.union(
		call(["source", "sink", "destructive"], "annotations", [], "untrusted"),
		{"arguments": {"path": "/home/me", "recursive": "yes"}, "provenance": {"derived_from": [], "user_given": [["path"]]}},
	)
	some f in baseline.ask with input as composed
	f.rule_id == "baseline.destructive_in_untrusted_context"
}

# --- deny what is attacker-directed, ask what is ambiguous, allow the rest -----------------------

on_server(classes, derived) := object.union(
	call(classes, "catalog", derived, "untrusted"),
	{"server": {"name": "shop"}},
)

own_order_id := [{"path": ["order_id"], "kind": "identifier", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["shop"], "same_server": true, "record": true}]

other_server_id := [{"path": ["order_id"], "kind": "identifier", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["web"], "same_server": false, "record": true}]

prose_id := [{"path": ["order_id"], "kind": "identifier", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["shop"], "same_server": true, "record": false}]

test_a_servers_own_record_flows_back_to_it if {
	inp := on_server(["source", "sink", "egress"], own_order_id)
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_a_record_of_another_untrusted_server_asks if {
	inp := on_server(["source", "sink"], other_server_id)
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

test_an_id_from_the_servers_own_prose_flows_back_to_it if {
	inp := on_server(["source", "sink"], prose_id)
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_an_id_from_another_servers_prose_asks if {
	other := [object.union(prose_id[0], {"servers": ["mail"], "same_server": false})]
	inp := on_server(["source", "sink"], other)
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

test_a_value_from_flagged_text_is_denied_even_as_a_record if {
	flagged := [object.union(own_order_id[0], {"flagged": true})]
	some f in baseline.deny with input as on_server(["source", "sink"], flagged)
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
	contains(f.reason, "flagged")
}

test_an_address_from_prose_into_egress_is_denied_on_the_same_server if {
	prose_to := [{"path": ["to"], "kind": "email", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["shop"], "same_server": true, "record": false}]
	some f in baseline.deny with input as on_server(["source", "sink", "egress"], prose_to)
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_recorded_address_of_another_server_asks if {
	record_to := [{"path": ["to"], "kind": "email", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["crm"], "same_server": false, "record": true}]
	inp := on_server(["source", "sink", "egress"], record_to)
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
}

test_a_link_quoted_with_its_context_in_a_body_is_data if {
	quoted := [{"path": ["body"], "kind": "url", "trust": "untrusted", "confidentiality": "public", "sources": [3], "quoted": true}]
	inp := call(["source", "egress", "sink"], "catalog", quoted, "untrusted")
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_following_a_flagged_link_is_denied if {
	flagged := [object.union(copied_url[0], {"flagged": true})]
	some f in baseline.deny with input as call(["source", "egress"], "catalog", flagged, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_destructive_call_after_flagged_content_is_denied if {
	inp := object.union(
		call(["source", "sink", "destructive"], "names", [], "untrusted"),
		{"session": {"counts": {"flagged": 1}}},
	)
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.destructive_after_flagged_content"
	count(baseline.ask) == 0 with input as inp
}

test_a_destructive_tool_classed_by_its_name_asks_in_untrusted_context if {
	some f in baseline.ask with input as call(["source", "sink", "destructive"], "names", [], "untrusted")
	f.rule_id == "baseline.destructive_in_untrusted_context"
}

test_a_tool_added_after_the_first_list_asks if {
	added := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "exfil", "classes": ["source"], "classes_from": "annotations", "pin": "added"}})
	some f in baseline.ask with input as added
	f.rule_id == "baseline.tool_added"
}

test_a_servers_own_record_asks_once_a_detector_flagged_text if {
	inp := requested_kind(object.union(on_server(["source", "sink", "egress"], own_order_id), {"session": {"counts": {"flagged": 1}}}))
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

test_a_link_built_around_an_untrusted_host_in_a_stored_note_is_denied if {
	built := [{"path": ["content"], "kind": "domain", "trust": "untrusted", "confidentiality": "public", "sources": [3], "in_link": true}]
	some f in baseline.deny with input as call(["source", "sink"], "annotations", built, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_host_named_in_a_stored_note_is_data if {
	named := [{"path": ["content"], "kind": "domain", "trust": "untrusted", "confidentiality": "public", "sources": [3]}]
	inp := call(["source", "sink"], "annotations", named, "untrusted")
	count(baseline.deny) == 0 with input as inp
	count(baseline.ask) == 0 with input as inp
}

test_an_untrusted_link_lifted_into_a_body_steers_once_text_was_flagged if {
	inp := object.union(call(["source", "egress", "sink"], "catalog", body_link, "untrusted"), {"session": {"counts": {"flagged": 1}}})
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_a_tool_updated_since_an_earlier_session_asks if {
	updated := object.union(call(["source"], "annotations", [], "trusted"), {"tool": {"name": "add", "classes": ["source"], "classes_from": "annotations", "pin": "updated"}})
	count(baseline.deny) == 0 with input as updated
	some f in baseline.ask with input as updated
	f.rule_id == "baseline.tool_definition_updated"
}

# -- the kind of action the user asked for ------------------------------------------------------

requested_kind(inp) := object.union(inp, {"provenance": object.union(inp.provenance, {"action_requested": true, "object_named": true})})

# The user's words name the verb ("update my address") but not the tool's object (a password).
requested_verb_only(inp) := object.union(inp, {"provenance": object.union(inp.provenance, {"action_requested": true, "object_named": false})})

flagged_session(inp) := object.union(inp, {"session": object.union(inp.session, {"counts": {"flagged": 1}})})

test_a_destructive_call_of_the_kind_the_user_asked_for_is_allowed if {
	inp := requested_kind(call(["source", "sink", "destructive"], "annotations", [], "untrusted"))
	count(baseline.ask) == 0 with input as inp
	count(baseline.deny) == 0 with input as inp
}

test_a_requested_kind_of_destructive_call_after_flagged_text_is_asked if {
	inp := flagged_session(requested_kind(call(["source", "sink", "destructive"], "annotations", [], "untrusted")))
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.destructive_requested_after_flagged_content"
}

test_a_destructive_call_whose_object_the_user_never_named_is_allowed_before_flagged_text if {
	inp := requested_verb_only(call(["source", "sink", "destructive"], "annotations", [], "untrusted"))
	count(baseline.ask) == 0 with input as inp
	count(baseline.deny) == 0 with input as inp
}

test_a_destructive_call_whose_object_the_user_never_named_is_denied_after_flagged_text if {
	inp := flagged_session(requested_verb_only(call(["source", "sink", "destructive"], "annotations", [], "untrusted")))
	count(baseline.ask) == 0 with input as inp
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.destructive_after_flagged_content"
}

test_an_unrequested_destructive_call_after_flagged_text_is_still_denied if {
	inp := flagged_session(call(["source", "sink", "destructive"], "annotations", [], "untrusted"))
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.destructive_after_flagged_content"
}

test_a_requested_kind_does_not_clear_a_target_from_untrusted_prose if {
	prose := [{"path": ["file_id"], "kind": "identifier", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["mail"]}]
	inp := requested_kind(call(["source", "sink", "destructive"], "annotations", prose, "untrusted"))
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

pointed_to := [object.union(untrusted_to[0], {"directed": true})]

test_an_address_from_content_the_user_pointed_at_for_their_action_is_asked if {
	inp := requested_kind(call(["source", "egress", "sink"], "catalog", pointed_to, "untrusted"))
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

test_an_address_from_pointed_at_content_is_denied_when_the_user_named_a_recipient if {
	base := requested_kind(call(["source", "egress", "sink"], "catalog", pointed_to, "untrusted"))
	inp := object.union(base, {"provenance": object.union(base.provenance, {"said_kinds": ["email"]})})
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

test_an_address_from_content_the_user_pointed_at_is_denied_without_the_action if {
	some f in baseline.deny with input as call(["source", "egress", "sink"], "catalog", pointed_to, "untrusted")
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

# After flagged text on the page the user named ("invite Dora; her address is on her website"),
# the address beside the injection is asked about when the user named the action and its object,
# and denied when their words name only the verb.
test_an_address_from_content_the_user_pointed_at_is_asked_after_flagged_text if {
	inp := flagged_session(requested_kind(call(["source", "egress", "sink"], "catalog", pointed_to, "untrusted")))
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

test_an_address_from_content_the_user_pointed_at_is_denied_after_flagged_text_for_the_verb_alone if {
	inp := flagged_session(requested_verb_only(call(["source", "egress", "sink"], "catalog", pointed_to, "untrusted")))
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.untrusted_argument_to_side_effect"
}

records_around := [{"path": ["hotel"], "kind": "field", "trust": "untrusted", "confidentiality": "public", "sources": [3], "servers": ["travel"], "record": true}]

test_an_unrequested_side_effect_after_flagged_text_is_denied if {
	inp := flagged_session(call(["source", "egress", "sink"], "catalog", records_around, "untrusted"))
	count(baseline.ask) == 0 with input as inp
	some f in baseline.deny with input as inp
	f.rule_id == "baseline.unrequested_side_effect_after_flagged_content"
}

test_a_requested_side_effect_after_flagged_text_is_asked if {
	inp := flagged_session(requested_kind(call(["source", "egress", "sink"], "catalog", records_around, "untrusted")))
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.untrusted_target_needs_approval"
}

content_asked(classes, extra) := object.union(
	call(classes, "catalog", [], "untrusted"),
	{"tool": {"name": "update_password", "classes": classes, "classes_from": "catalog"}, "arguments": {"password": "hunter2"}, "provenance": object.union({"derived_from": [], "content_requested": true}, extra)},
)

test_a_side_effect_content_told_the_agent_to_do_is_denied if {
	some f in baseline.deny with input as content_asked(["sink"], {})
	f.rule_id == "baseline.content_directed_action"
}

test_a_side_effect_content_asked_for_is_not_denied_when_the_user_asked_for_it_too if {
	not "baseline.content_directed_action" in {f.rule_id | some f in baseline.deny} with input as content_asked(["sink"], {"action_requested": true, "object_named": true})
}

test_the_same_verb_on_another_object_is_not_the_users if {
	some f in baseline.deny with input as content_asked(["sink"], {"action_requested": true, "object_named": false})
	f.rule_id == "baseline.content_directed_action"
}

test_a_side_effect_content_asked_for_is_asked_when_the_user_delegated_to_content if {
	count(baseline.deny) == 0 with input as content_asked(["sink"], {"delegated": true})
	some f in baseline.ask with input as content_asked(["sink"], {"delegated": true})
	f.rule_id == "baseline.content_directed_action_needs_approval"
}

test_a_network_read_content_asked_for_is_not_judged_as_directed if {
	count(baseline.deny) == 0 with input as content_asked(["source", "egress"], {})
}

test_a_call_the_user_spelled_out_is_not_content_directed if {
	count(baseline.deny) == 0 with input as content_asked(["sink"], {"user_given": [["password"]]})
}

test_a_call_aimed_at_a_target_the_user_gave_is_not_content_directed if {
	aimed := object.union(content_asked(["egress"], {"user_given": [["recipient"]]}), {"arguments": {"recipient": "GB29NWBK60161331926819", "date": "2022-03-01"}})
	count(baseline.deny) == 0 with input as aimed
}

test_free_text_in_the_users_words_does_not_aim_a_content_directed_call if {
	some f in baseline.deny with input as content_asked(["sink"], {"user_given": [["subject"]]})
	f.rule_id == "baseline.content_directed_action"
}

content_dated_call(said_kinds, dates, extra) := object.union(
	call(["source", "egress", "sink"], "catalog", [], "untrusted"),
	{
		"tool": {"name": "reserve_hotel", "classes": ["source", "egress", "sink"], "classes_from": "catalog"},
		"arguments": {"hotel": "Harbour Inn", "start_day": "2025-05-13", "notes": "late arrival on 2025-05-13"},
		"provenance": object.union({"derived_from": [], "said_kinds": said_kinds, "content_dates": dates}, extra),
	},
)

test_a_side_effect_for_a_date_only_content_gave_is_denied_when_the_user_gave_dates if {
	some f in baseline.deny with input as content_dated_call(["date"], [["start_day"]], {})
	f.rule_id == "baseline.date_from_content"
}

test_a_date_from_content_is_judged_only_when_the_user_gave_dates_of_their_own if {
	count(baseline.deny) == 0 with input as content_dated_call([], [["start_day"]], {})
}

test_a_date_from_content_in_free_text_does_not_aim_the_call if {
	count(baseline.deny) == 0 with input as content_dated_call(["date"], [["notes"]], {})
}

test_a_date_from_content_is_asked_when_the_user_delegated_to_content if {
	inp := content_dated_call(["date"], [["start_day"]], {"delegated": true})
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.date_from_content_needs_approval"
}

# A page that content the user did not point the agent at told it to visit.
content_sent(classes, links, extra) := object.union(
	call(classes, "catalog", [], "untrusted"),
	{
		"tool": {"name": "get_webpage", "classes": classes, "classes_from": "catalog"},
		"arguments": {"url": "www.promo-deals.example", "note": "from www.promo-deals.example"},
		"provenance": object.union({"derived_from": [], "content_links": links}, extra),
	},
)

test_a_network_read_of_a_page_content_sent_the_agent_to_is_denied if {
	some f in baseline.deny with input as content_sent(["source", "egress"], [["url"]], {})
	f.rule_id == "baseline.page_content_sent_to"
}

test_a_network_read_of_a_page_content_did_not_send_the_agent_to_is_allowed if {
	count(baseline.deny) == 0 with input as content_sent(["source", "egress"], [], {})
	count(baseline.ask) == 0 with input as content_sent(["source", "egress"], [], {})
}

test_a_host_from_content_in_free_text_sends_the_agent_nowhere if {
	count(baseline.deny) == 0 with input as content_sent(["source", "egress"], [["note"]], {})
}

test_a_page_content_sent_the_agent_to_is_asked_when_the_user_delegated_to_content if {
	inp := content_sent(["source", "egress"], [["url"]], {"delegated": true})
	count(baseline.deny) == 0 with input as inp
	some f in baseline.ask with input as inp
	f.rule_id == "baseline.page_content_sent_to_needs_approval"
}

test_a_side_effect_to_a_host_content_named_is_left_to_the_derivation_rules if {
	count(baseline.deny) == 0 with input as content_sent(["source", "egress", "sink"], [["url"]], {})
}
