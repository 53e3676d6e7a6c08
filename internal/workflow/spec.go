// Package workflow holds workflow templates and their runs. A template's
// spec is a DAG of nodes; a run walks it one step at a time, each step a
// durable job, and records the status and output of every step.
//
// # Spec
//
//	{"nodes": [
//	   {"id": "summary", "type": "ai_prompt", "config": {"prompt": "Summarize the decisions"}},
//	   {"id": "notify",  "type": "webhook", "depends_on": ["summary"], "config": {"url": "https://..."}}
//	 ],
//	 "edges": [{"from": "summary", "to": "notify"}]}
//
// Dependencies are given by a node's depends_on, by edges, or both. Node
// types: start, end and noop pass; ai_prompt runs config.prompt over the
// originating meeting through the intelligence engine; next_step runs the
// prompt of the workspace's next step config.next_step_id; webhook posts
// the run's outputs so far to config.url (through the outbound guard); fail
// fails with config.message. Other types are accepted with a warning and
// pass without doing anything, so a spec written for another product still
// runs. A run starts with the nodes that depend on nothing; a node runs once
// every node it depends on has completed; the run completes when every node
// has, and fails with the first node that fails.
package workflow

import (
	"encoding/json"
	"fmt"
	"slices"
)

// The node types that do something.
const (
	NodeStart    = "start"
	NodeEnd      = "end"
	NodeNoop     = "noop"
	NodeAIPrompt = "ai_prompt"
	NodeNextStep = "next_step"
	NodeWebhook  = "webhook"
	NodeFail     = "fail"
)

var knownNodes = []string{NodeStart, NodeEnd, NodeNoop, NodeAIPrompt, NodeNextStep, NodeWebhook, NodeFail}

// MaxNodes bounds a spec.
const MaxNodes = 200

// Spec is a workflow DAG.
type Spec struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges,omitempty"`
}

// Node is one node of a spec.
type Node struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	Name      string         `json:"name,omitempty"`
	DependsOn []string       `json:"depends_on,omitempty"`
	Config    map[string]any `json:"config,omitempty"`
}

// Edge says To depends on From.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Problem is one finding of spec validation, at a JSON path below the
// spec.
type Problem struct {
	Path    string
	Code    string
	Message string
}

// Graph is a validated spec: its nodes in an order where every node comes
// after those it depends on, each with its full dependency list.
type Graph struct {
	Nodes []Node
}

// ParseSpec validates a spec. Errors make it unusable; warnings (unknown
// node types) do not.
func ParseSpec(raw json.RawMessage) (g Graph, errs, warnings []Problem) {
	var s Spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return g, []Problem{{Path: "", Code: "invalid_spec", Message: "spec must be an object with a nodes array: " + err.Error()}}, nil
	}
	if len(s.Nodes) == 0 {
		return g, []Problem{{Path: "nodes", Code: "required", Message: "a workflow needs at least one node"}}, nil
	}
	if len(s.Nodes) > MaxNodes {
		return g, []Problem{{Path: "nodes", Code: "too_many", Message: fmt.Sprintf("a workflow has at most %d nodes", MaxNodes)}}, nil
	}
	index := map[string]int{}
	for i, n := range s.Nodes {
		path := fmt.Sprintf("nodes[%d]", i)
		switch {
		case n.ID == "" || len(n.ID) > 100:
			errs = append(errs, Problem{path + ".id", "required", "a node needs an id of 1 to 100 characters"})
		case index[n.ID] > 0:
			errs = append(errs, Problem{path + ".id", "duplicate_id", fmt.Sprintf("node id %q is used twice", n.ID)})
		default:
			index[n.ID] = i + 1
		}
		if n.Type == "" {
			errs = append(errs, Problem{path + ".type", "required", "a node needs a type"})
		} else if !slices.Contains(knownNodes, n.Type) {
			warnings = append(warnings, Problem{path + ".type", "unknown_node_type", fmt.Sprintf("node type %q does nothing here", n.Type)})
		}
		if n.Type == NodeWebhook {
			if u, _ := n.Config["url"].(string); u == "" {
				errs = append(errs, Problem{path + ".config.url", "required", "a webhook node needs config.url"})
			}
		}
		if n.Type == NodeAIPrompt {
			if p, _ := n.Config["prompt"].(string); p == "" {
				errs = append(errs, Problem{path + ".config.prompt", "required", "an ai_prompt node needs config.prompt"})
			}
		}
	}
	for i, e := range s.Edges {
		for _, end := range []string{e.From, e.To} {
			if index[end] == 0 {
				errs = append(errs, Problem{fmt.Sprintf("edges[%d]", i), "unknown_node", fmt.Sprintf("edge names unknown node %q", end)})
			}
		}
		if index[e.To] > 0 && index[e.From] > 0 {
			n := &s.Nodes[index[e.To]-1]
			if !slices.Contains(n.DependsOn, e.From) {
				n.DependsOn = append(n.DependsOn, e.From)
			}
		}
	}
	for i, n := range s.Nodes {
		for _, d := range n.DependsOn {
			if index[d] == 0 {
				errs = append(errs, Problem{fmt.Sprintf("nodes[%d].depends_on", i), "unknown_node", fmt.Sprintf("depends on unknown node %q", d)})
			}
		}
	}
	if len(errs) > 0 {
		return g, errs, warnings
	}
	order, ok := topo(s.Nodes)
	if !ok {
		return g, []Problem{{Path: "nodes", Code: "cycle", Message: "the nodes' dependencies form a cycle"}}, warnings
	}
	return Graph{Nodes: order}, nil, warnings
}

// topo orders nodes so each follows its dependencies (Kahn's algorithm,
// keeping the spec's order among ready nodes); false means a cycle.
func topo(nodes []Node) ([]Node, bool) {
	done := map[string]bool{}
	out := make([]Node, 0, len(nodes))
	for len(out) < len(nodes) {
		progressed := false
		for _, n := range nodes {
			if done[n.ID] {
				continue
			}
			ready := true
			for _, d := range n.DependsOn {
				ready = ready && done[d]
			}
			if ready {
				done[n.ID], progressed = true, true
				out = append(out, n)
			}
		}
		if !progressed {
			return nil, false
		}
	}
	return out, true
}
