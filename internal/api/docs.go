package api

import (
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsPage is rendered on the server so the docs work offline, without a
// JavaScript bundle from a CDN.
var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f2f3f5;padding:.1rem .3rem;border-radius:4px}.m{display:inline-block;width:4.5rem;font-weight:600}
li{margin:.25rem 0}h2{margin-top:2rem;border-bottom:1px solid #ddd}</style></head><body>
<h1>{{.Title}} {{.Version}}</h1><p>{{.Description}}</p>
<p>The machine-readable OpenAPI 3.1 document is at <a href="/openapi.json"><code>/openapi.json</code></a> (also <a href="/openapi.yaml">YAML</a>).</p>
{{range .Groups}}<h2>{{.Tag}}</h2><ul>{{range .Ops}}<li><span class="m">{{.Method}}</span><code>{{.Path}}</code> {{.Summary}}</li>{{end}}</ul>{{end}}
</body></html>`))

type docsOp struct{ Method, Path, Summary string }

type docsGroup struct {
	Tag string
	Ops []docsOp
}

func docsHandler(api huma.API) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		doc := api.OpenAPI()
		groups := map[string][]docsOp{}
		for path, item := range doc.Paths {
			for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
				if op == nil || op.Hidden {
					continue
				}
				tag := "Other"
				if len(op.Tags) > 0 {
					tag = op.Tags[0]
				}
				groups[tag] = append(groups[tag], docsOp{Method: method, Path: path, Summary: op.Summary})
			}
		}
		var out []docsGroup
		for tag, ops := range groups {
			sort.Slice(ops, func(i, j int) bool {
				return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method
			})
			out = append(out, docsGroup{Tag: tag, Ops: ops})
		}
		sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Tag) < strings.ToLower(out[j].Tag) })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = docsPage.Execute(w, map[string]any{"Title": doc.Info.Title, "Version": doc.Info.Version, "Description": doc.Info.Description, "Groups": out})
	}
}
