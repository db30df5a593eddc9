package stress

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// method is a request the driver sends when the server advertises
// capability ("" means always).
type method struct {
	name       string
	capability string
	params     func(d *driver) (json.RawMessage, expectation)
	// after learns from a result; nil when nothing is to be learnt.
	after func(d *driver, uri string, result json.RawMessage)
}

// allMethods are every request rivet may offer, and a few it must refuse.
var allMethods = []method{
	{name: "textDocument/hover", capability: "hoverProvider", params: positionParams},
	{name: "textDocument/definition", capability: "definitionProvider", params: positionParams},
	{name: "textDocument/declaration", capability: "declarationProvider", params: positionParams},
	{name: "textDocument/references", capability: "referencesProvider", params: referencesParams},
	{name: "textDocument/prepareCallHierarchy", capability: "callHierarchyProvider", params: positionParams, after: learnItems},
	{name: "callHierarchy/incomingCalls", capability: "callHierarchyProvider", params: itemParams},
	{name: "callHierarchy/outgoingCalls", capability: "callHierarchyProvider", params: itemParams},
	{name: "textDocument/documentSymbol", capability: "documentSymbolProvider", params: documentParams},
	{name: "textDocument/codeLens", capability: "codeLensProvider", params: documentParams},
	{name: "textDocument/codeAction", capability: "codeActionProvider", params: rangeParams},
	{name: "textDocument/inlayHint", capability: "inlayHintProvider", params: rangeParams},
	{name: "textDocument/diagnostic", capability: "diagnosticProvider", params: diagnosticParams, after: learnResultID},
	{name: "workspace/symbol", capability: "workspaceSymbolProvider", params: symbolParams},
	{name: "textDocument/semanticTokens/full", params: unknownMethodParams},
	{name: "rivet/noSuchMethod", params: unknownMethodParams},
	{name: "initialize", params: secondInitialize},
}

// request sends one random request.
func (d *driver) request() {
	m := d.methods[d.rng.IntN(len(d.methods))]
	params, expect := m.params(d)
	var uri string
	var probe struct {
		TextDocument struct {
			URI string `json:"uri"`
		} `json:"textDocument"`
	}
	if json.Unmarshal(params, &probe) == nil {
		uri = probe.TextDocument.URI
	}
	cl, err := d.c.send(m.name, params, d.rng.IntN(3) == 0, expect)
	if err != nil {
		return // the server is gone; alive() says so
	}
	// A request about a document a link leads out of the roots may
	// answer with its places: the client asked.
	cl.outsideOK = d.scratch != nil && d.scratch.leadsOutside(uriPath(uri))
	d.count("sent " + m.name)
	if m.after != nil {
		cl.after = func(res json.RawMessage) { m.after(d, uri, res) }
	}
	d.outstanding = append(d.outstanding, cl)
	if d.rng.IntN(12) == 0 { // cancelled at once, before the server can answer
		d.cancelCall(cl)
	}
}

// target picks the document a request is about: mostly an open one,
// else a file on disk that is not open, a hostile file, or a URI that
// names nothing a server can read. text is nil when unknown.
func (d *driver) target() (uri string, t []byte) {
	r := d.rng.IntN(100)
	switch {
	case r < 60 && len(d.open) > 0:
		doc := d.open[d.randomOpen()]
		return doc.uri, doc.text
	case r < 85 && len(d.rust)+len(d.cfiles) > 0:
		p := d.randomFile()
		return fileURI(p), d.diskText(p)
	case r < 94 && d.scratch != nil:
		p := pick(d.rng, d.scratch.paths())
		return fileURI(p), d.diskText(p)
	}
	return pick(d.rng, oddURIs), nil
}

// oddURIs name nothing a server can read, or are not file URIs at all.
var oddURIs = []string{
	"file:///nonexistent/dir/gone.rs", "file:///nonexistent/gone.c", "untitled:Untitled-1", "",
	"file://%zz", "http://example.com/a.c", "file:///", "file:relative.c", "file:///dev/zero",
	"file:///proc/self/mem.rs", "file:///tmp/..%2f..%2fetc%2fpasswd.c", "file:///a%00b.c",
	"file:///" + strings.Repeat("deep/", 2000) + "x.rs", "file://remotehost/share/x.c", "\xff\xfe",
}

func (d *driver) randomOpen() string {
	uris := make([]string, 0, len(d.open))
	for u := range d.open {
		uris = append(uris, u)
	}
	slices.Sort(uris) // map order would defeat the seed
	return pick(d.rng, uris)
}

// randomFile picks a real file, Rust half of the time.
func (d *driver) randomFile() string {
	if len(d.rust) > 0 && (d.rng.IntN(2) == 0 || len(d.cfiles) == 0) {
		return pick(d.rng, d.rust)
	}
	return pick(d.rng, d.cfiles)
}

// diskText reads a file for positions, remembering a few.
func (d *driver) diskText(path string) []byte {
	if t, ok := d.disk[path]; ok {
		return t
	}
	t, ok := readSource(path)
	if !ok {
		return nil
	}
	if len(d.disk) >= 64 {
		for k := range d.disk {
			delete(d.disk, k)
			break
		}
	}
	d.disk[path] = t
	return t
}

// position picks a position in t: mostly where an identifier starts or at
// any character, sometimes past the line or text end, and now and then a
// number that is no position at all (negative, fractional, too large).
func (d *driver) position(t []byte) (any, expectation) {
	switch r := d.rng.IntN(100); {
	case r < 4:
		bad := []string{`{"line":-1,"character":0}`, `{"line":0,"character":-5}`, `{"line":1.5,"character":0}`,
			`{"line":"3","character":0}`, `{"line":4294967296,"character":0}`, `null`, `{}`, `[]`}
		return json.RawMessage(pick(d.rng, bad)), expectInvalidParams
	case r < 12:
		n := int64(len(lineStarts(t)))
		return pick(d.rng, []position{{n, 0}, {n + 7, 3}, {0, 1 << 20}, {2147483647, 2147483647}, {4294967295, 4294967295}}), expectResult
	case len(t) == 0:
		return position{int64(d.rng.IntN(200)), int64(d.rng.IntN(80))}, expectResult
	}
	starts := lineStarts(t)
	off := d.rng.IntN(len(t) + 1)
	if ids := identStarts(t, 256); len(ids) > 0 && d.rng.IntN(4) > 0 {
		off = ids[d.rng.IntN(len(ids))] + d.rng.IntN(3)
	}
	off = boundary(t, starts, min(off, len(t)), !d.opts.UTF8)
	return positionOf(t, starts, off, !d.opts.UTF8), expectResult
}

// lspRangeIn picks a range in t, sometimes inverted or out of bounds.
func (d *driver) lspRangeIn(t []byte) any {
	switch r := d.rng.IntN(100); {
	case r < 10:
		return lspRange{Start: position{5, 3}, End: position{1, 0}} // inverted
	case r < 20:
		return lspRange{Start: position{0, 0}, End: position{1 << 30, 0}}
	case len(t) == 0:
		return lspRange{End: position{int64(d.rng.IntN(100)), 0}}
	}
	starts := lineStarts(t)
	a := boundary(t, starts, d.rng.IntN(len(t)+1), !d.opts.UTF8)
	b := boundary(t, starts, min(len(t), a+d.rng.IntN(4096)), !d.opts.UTF8)
	if d.rng.IntN(4) == 0 { // the whole document, as editors ask for hints
		a, b = 0, len(t)
	}
	return lspRange{Start: positionOf(t, starts, a, !d.opts.UTF8), End: positionOf(t, starts, max(a, b), !d.opts.UTF8)}
}

func positionParams(d *driver) (json.RawMessage, expectation) {
	uri, t := d.target()
	pos, expect := d.position(t)
	return mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos}), expect
}

func referencesParams(d *driver) (json.RawMessage, expectation) {
	uri, t := d.target()
	pos, expect := d.position(t)
	return mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}, "position": pos,
		"context": map[string]any{"includeDeclaration": d.rng.IntN(2) == 0}}), expect
}

func documentParams(d *driver) (json.RawMessage, expectation) {
	uri, _ := d.target()
	return mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}}), expectResult
}

func rangeParams(d *driver) (json.RawMessage, expectation) {
	uri, t := d.target()
	p := map[string]any{"textDocument": map[string]any{"uri": uri}, "range": d.lspRangeIn(t)}
	diags := []any{}
	if d.rng.IntN(4) == 0 { // diagnostics the client remembers, possibly wrong
		diags = append(diags, map[string]any{"range": d.lspRangeIn(t), "message": "stale", "source": "rivet",
			"code": pick(d.rng, []string{"lifecycle-leak", "unsafe-missing-safety", "no-such-code", ""})})
	}
	p["context"] = map[string]any{"diagnostics": diags}
	return mustJSON(p), expectResult
}

func diagnosticParams(d *driver) (json.RawMessage, expectation) {
	uri, _ := d.target()
	p := map[string]any{"textDocument": map[string]any{"uri": uri}}
	if id, ok := d.resultIDs[uri]; ok && d.rng.IntN(2) == 0 {
		p["previousResultId"] = id
	} else if d.rng.IntN(10) == 0 {
		p["previousResultId"] = "garbage\xff"
	}
	return mustJSON(p), expectResult
}

func symbolParams(d *driver) (json.RawMessage, expectation) {
	queries := []string{"", "a", "get", "device", "rust_helper_", "put_dev", "ß", "𝄞", "*", ".*", "[",
		strings.Repeat("x", 10000), "get_device\x00"}
	q := pick(d.rng, queries)
	if _, t := d.target(); len(t) > 0 && d.rng.IntN(2) == 0 { // a name of the tree
		if ids := identStarts(t, 64); len(ids) > 0 {
			i := ids[d.rng.IntN(len(ids))]
			j := i
			for j < len(t) && isIdent(t[j]) {
				j++
			}
			q = string(t[i:j])
		}
	}
	if d.rng.IntN(20) == 0 {
		return mustJSON(map[string]any{"query": text("\xff\xfeinvalid")}), expectResult
	}
	return mustJSON(map[string]any{"query": q}), expectResult
}

func itemParams(d *driver) (json.RawMessage, expectation) {
	if len(d.items) > 0 && d.rng.IntN(5) > 0 {
		return mustJSON(map[string]any{"item": d.items[d.rng.IntN(len(d.items))]}), expectResult
	}
	uri, t := d.target()
	r := d.lspRangeIn(t)
	item := map[string]any{"name": "made_up", "kind": 12, "uri": uri, "range": r, "selectionRange": r}
	switch d.rng.IntN(4) {
	case 0:
		item["data"] = map[string]any{"path": "/etc/passwd", "offset": -1}
	case 1:
		item["data"] = "garbage"
	case 2:
		item["kind"] = "function" // not a SymbolKind
		return mustJSON(map[string]any{"item": item}), expectInvalidParams
	}
	return mustJSON(map[string]any{"item": item}), expectResult
}

func unknownMethodParams(d *driver) (json.RawMessage, expectation) {
	uri, _ := d.target()
	return mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}}), expectUnknownMethod
}

func secondInitialize(d *driver) (json.RawMessage, expectation) {
	return json.RawMessage(`{"processId":null,"capabilities":{}}`), expectInvalidRequest
}

func learnItems(d *driver, _ string, res json.RawMessage) {
	var items []json.RawMessage
	if json.Unmarshal(res, &items) != nil {
		return
	}
	for _, it := range items {
		if len(d.items) < 256 {
			d.items = append(d.items, it)
		} else {
			d.items[d.rng.IntN(len(d.items))] = it
		}
	}
}

func learnResultID(d *driver, uri string, res json.RawMessage) {
	var r struct {
		ResultID string `json:"resultId"`
	}
	if json.Unmarshal(res, &r) == nil && r.ResultID != "" {
		d.resultIDs[uri] = r.ResultID
	}
}

// ---- cancellation ----

// cancel sends $/cancelRequest for a call in flight, for one already
// answered or unknown, or a malformed one.
func (d *driver) cancel() {
	switch r := d.rng.IntN(10); {
	case r < 6 && len(d.outstanding) > 0:
		d.cancelCall(d.outstanding[d.rng.IntN(len(d.outstanding))])
	case r < 8:
		d.notify("$/cancelRequest", json.RawMessage(pick(d.rng, []string{`{"id":987654321}`, `{"id":"never-sent"}`, `{"id":-1}`})))
	default:
		d.notify("$/cancelRequest", json.RawMessage(pick(d.rng, []string{`{}`, `{"id":null}`, `{"id":{"x":1}}`, `{"id":1.5}`, `null`, `[1]`})))
	}
}

func (d *driver) cancelCall(cl *call) {
	cl.canceled = true
	d.notify("$/cancelRequest", json.RawMessage(`{"id":`+cl.id+`}`))
	d.count("cancelled")
}

// notify sends a notification and counts it.
func (d *driver) notify(method string, params json.RawMessage) {
	if d.c.notify(method, params) == nil {
		d.count("notified " + method)
	}
}

// ---- documents ----

// openDocument opens a file: its disk text, or text no editor should
// have, under its own language or a wrong one.
func (d *driver) openDocument() {
	if len(d.open) >= 40 {
		d.closeDocument()
	}
	var path string
	if d.scratch != nil && d.rng.IntN(4) == 0 {
		path = pick(d.rng, d.scratch.paths())
	} else if len(d.rust)+len(d.cfiles) > 0 {
		path = d.randomFile()
	} else {
		return
	}
	if d.scratch != nil && d.scratch.leadsOutside(path) {
		// An editor that opens a file is asking for it, wherever a link
		// led; the probe checks what the server indexes on its own.
		return
	}
	uri := fileURI(path)
	t, ok := readSource(path)
	if !ok || d.rng.IntN(10) == 0 {
		t = d.hostileText()
	}
	lang := languageOf(path)
	if d.rng.IntN(15) == 0 {
		lang = pick(d.rng, []string{"plaintext", "cpp", "rust", "c", "", "go"})
	}
	if _, already := d.open[uri]; already {
		d.count("reopened") // an editor bug, which the server must survive
	}
	dc := &doc{uri: uri, lang: lang, version: 1, text: t, known: true}
	dc.sent()
	d.open[uri] = dc
	d.notify("textDocument/didOpen", mustJSON(map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": lang, "version": 1, "text": text(t)}}))
}

// uriPath is the path of a file URI ("" for anything else).
func uriPath(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "file" {
		return ""
	}
	return u.Path
}

func languageOf(path string) string {
	switch filepath.Ext(path) {
	case ".rs":
		return "rust"
	case ".c", ".h":
		return "c"
	}
	return "plaintext"
}

// hostileText is text no editor should send but some will.
func (d *driver) hostileText() []byte {
	switch d.rng.IntN(6) {
	case 0:
		return append(append([]byte("fn f() { let x = "), bytes.Repeat([]byte("1 + "), 1<<18)...), "1; }\n"...) // a 1 MB line
	case 1:
		b := make([]byte, 4096)
		for i := range b {
			b[i] = byte(d.rng.Uint32())
		}
		return b
	case 2:
		return []byte("unsafe { bindings::\xff\xfe(\xed\xa0\x80) }\r\r\n\x00")
	case 3:
		return bytes.Repeat([]byte("{"), 30000)
	case 4:
		return nil
	}
	return bytes.Repeat([]byte("\r\n"), 50000)
}

// edit changes an open document: edits the driver models, checked later
// against the server's copy, or ones it does not (ranges past the end,
// inverted, negative), each followed by a whole-text replacement that
// makes the copies agree again.
func (d *driver) edit() {
	if len(d.open) == 0 {
		d.openDocument()
		return
	}
	doc := d.open[d.randomOpen()]
	if len(doc.text) > 256<<10 && d.rng.IntN(10) > 0 {
		// Every change re-reads a whole document in the server's read
		// loop: a few edits of a huge one show it survives, many only
		// slow the session down.
		d.closeURI(doc.uri)
		return
	}
	var changes []any
	utf16 := !d.opts.UTF8
	switch r := d.rng.IntN(100); {
	case r < 75 && doc.known:
		for range 1 + d.rng.IntN(3) {
			start, end, frag := randomEdit(d.rng, doc.text, utf16)
			starts := lineStarts(doc.text)
			changes = append(changes, map[string]any{
				"range": lspRange{Start: positionOf(doc.text, starts, start, utf16), End: positionOf(doc.text, starts, end, utf16)},
				"text":  text(frag)})
			doc.text = slices.Concat(doc.text[:start], []byte(frag), doc.text[end:])
		}
	case r < 90:
		bad := []lspRange{{Start: position{-1, 0}, End: position{0, -3}}, {Start: position{1 << 40, 0}, End: position{1 << 40, 9}},
			{Start: position{3, 4}, End: position{1, 0}}, {Start: position{0, 1 << 30}, End: position{0, 1 << 31}}}
		changes = append(changes, map[string]any{"range": pick(d.rng, bad), "text": text("oops\n")})
		t := doc.text
		if d.rng.IntN(3) == 0 {
			t = d.hostileText()
		}
		changes = append(changes, map[string]any{"text": text(t)})
		doc.text, doc.known = t, true
	default:
		path := uriPath(doc.uri)
		t, ok := readSource(path)
		if !ok || d.rng.IntN(4) == 0 || d.scratch != nil && d.scratch.leadsOutside(path) {
			t = d.hostileText()
		}
		changes = append(changes, map[string]any{"text": text(t)})
		doc.text, doc.known = t, true
	}
	doc.version++
	if d.rng.IntN(50) == 0 {
		doc.version -= 2 // an editor that goes back; the server warns and goes on
	}
	doc.sent()
	d.count("edits")
	d.notify("textDocument/didChange", mustJSON(map[string]any{
		"textDocument":   map[string]any{"uri": doc.uri, "version": doc.version},
		"contentChanges": changes}))
}

func (d *driver) closeDocument() {
	if len(d.open) == 0 || d.rng.IntN(10) == 0 {
		uri, _ := d.target() // closing what is not open
		if _, open := d.open[uri]; !open {
			d.notify("textDocument/didClose", mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}}))
		}
		return
	}
	d.closeURI(d.randomOpen())
}

func (d *driver) closeURI(uri string) {
	delete(d.open, uri)
	d.notify("textDocument/didClose", mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}}))
}

func (d *driver) save() {
	uri, _ := d.target()
	d.notify("textDocument/didSave", mustJSON(map[string]any{"textDocument": map[string]any{"uri": uri}}))
}

// checkDocument asks the server for its copy of an open document and
// compares it with the driver's.
func (d *driver) checkDocument() {
	if d.opts.DocumentMethod == "" || len(d.open) == 0 {
		return
	}
	doc := d.open[d.randomOpen()]
	uri, from := doc.uri, doc.dropped+len(doc.history)-1
	cl, err := d.c.send(d.opts.DocumentMethod, mustJSON(map[string]any{"uri": uri}), false, expectResult)
	if err != nil {
		return
	}
	cl.after = func(res json.RawMessage) {
		if d.open[uri] != doc {
			return // closed or reopened since: nothing to compare with
		}
		var got *struct {
			Version int32  `json:"version"`
			Text    []byte `json:"text"`
		}
		if err := json.Unmarshal(res, &got); err != nil || got == nil {
			d.fail("the server lost open document %s (answer %.100s)", uri, res)
			return
		}
		states := doc.since(from)
		for _, st := range states {
			if st.version == got.Version && bytes.Equal(st.text, got.Text) {
				d.count("documents checked")
				return
			}
		}
		last := states[len(states)-1]
		d.fail("%s: the server holds version %d (%d bytes), which matches no state the client sent since the check; the latest is version %d (%d bytes), first difference at byte %d",
			uri, got.Version, len(got.Text), last.version, len(last.text), firstDifference(got.Text, last.text))
	}
	d.outstanding = append(d.outstanding, cl)
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// ---- the world outside the editor ----

// watchStorm reports a burst of file changes, as a branch switch or a
// build does: real files, hostile ones, directories, paths outside the
// roots, URIs that are not files, change types that do not exist.
func (d *driver) watchStorm() {
	n := 1 + d.rng.IntN(100)
	if d.rng.IntN(10) == 0 {
		n = 2000
	}
	var changes []any
	for range n {
		var uri string
		switch r := d.rng.IntN(10); {
		case r < 5 && len(d.rust)+len(d.cfiles) > 0:
			uri = fileURI(d.randomFile())
		case r < 9 && d.scratch != nil:
			uri = fileURI(pick(d.rng, d.scratch.paths()))
		default:
			uri = pick(d.rng, oddURIs)
		}
		kind := 1 + d.rng.IntN(3)
		if d.rng.IntN(50) == 0 {
			kind = pick(d.rng, []int{0, 4, -1, 99})
		}
		changes = append(changes, map[string]any{"uri": uri, "type": kind})
	}
	d.count("watched-file events")
	d.mu.Lock()
	d.rep.Counts["watched-file changes"] += n
	d.mu.Unlock()
	d.notify("workspace/didChangeWatchedFiles", mustJSON(map[string]any{"changes": changes}))
}

// diskChange changes the scratch tree and, mostly, tells the server.
func (d *driver) diskChange() {
	if d.scratch == nil {
		return
	}
	p := d.scratch.change()
	d.count("disk changes")
	if d.rng.IntN(5) > 0 {
		d.notify("workspace/didChangeWatchedFiles", mustJSON(map[string]any{"changes": []any{
			map[string]any{"uri": fileURI(p), "type": 1 + d.rng.IntN(3)}}}))
	}
}

// configure changes the settings, valid or not.
func (d *driver) configure() {
	settings := randomSettings(d.rng)
	if d.rng.IntN(4) == 0 {
		settings = nil // the server then pulls workspace/configuration
	}
	d.notify("workspace/didChangeConfiguration", mustJSON(map[string]any{"settings": settings}))
}

// randomSettings are client settings, valid or not. Changing include or
// exclude makes the server index again, so they change rarely.
func randomSettings(rng *rand.Rand) any {
	switch rng.IntN(12) {
	case 0:
		return map[string]any{"rivet": map[string]any{"rules": map[string]any{"unsafe-missing-safety": "off", "lifecycle-leak": "hint"}}}
	case 1:
		return map[string]any{"rules": map[string]any{"unsafe-missing-safety": "loud"}} // invalid severity
	case 2:
		return map[string]any{"inlay_hints": false, "code_lens": false}
	case 3:
		return map[string]any{"inlay_hints": "yes"} // wrong type
	case 4:
		return map[string]any{"unknown_key": 1}
	case 5:
		return json.RawMessage(strings.Repeat("[", 5000) + strings.Repeat("]", 5000))
	case 6:
		return map[string]any{"lifecycle": map[string]any{"pairs": []any{map[string]any{"acquire": "a", "release": ""}}}}
	case 7:
		if rng.IntN(4) == 0 {
			return map[string]any{"exclude": []string{"Documentation/**", "churn/**"}}
		}
		return map[string]any{"exclude": []string{"[unclosed"}}
	case 8:
		return "a string"
	case 9:
		return map[string]any{"rivet": map[string]any{"target": "ilp32", "ffi_modules": []string{"uapi"}}}
	}
	return map[string]any{}
}

// garbage sends messages no client should: bodies that are not JSON or
// not JSON-RPC, notifications with params of the wrong shape, and
// notifications no server knows.
func (d *driver) garbage() {
	switch d.rng.IntN(4) {
	case 0:
		body := pick(d.rng, []string{`{`, `not json at all`, "\xff\xfe", `{"jsonrpc":"2.0","method":}`, `[]`, `[{"jsonrpc":"2.0","method":"x"}]`,
			`{"jsonrpc":"1.0","method":"initialized"}`, `{"jsonrpc":"2.0"}`, `{"jsonrpc":"2.0","method":5}`, `null`, `42`, `""`})
		d.c.writeBody([]byte(body))
		d.count("garbage bodies")
	case 1:
		m := pick(d.rng, []string{"textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
			"workspace/didChangeWatchedFiles", "workspace/didChangeConfiguration", "initialized"})
		d.notify(m, json.RawMessage(pick(d.rng, []string{`"str"`, `[]`, `null`, `{"textDocument":5}`, `{"changes":{"a":1}}`,
			`{"textDocument":{"uri":"file:///x.c","version":"1"},"contentChanges":[{"text":5}]}`})))
	case 2:
		d.notify(pick(d.rng, []string{"$/setTrace", "$/progress", "workspace/didChangeWorkspaceFolders", "rivet/unknown", "$/unknown"}),
			json.RawMessage(`{"value":"verbose"}`))
	default:
		// didChange of a document that is not open.
		d.notify("textDocument/didChange", mustJSON(map[string]any{
			"textDocument":   map[string]any{"uri": "file:///never/opened.rs", "version": 3},
			"contentChanges": []any{map[string]any{"text": "fn f() {}"}}}))
	}
}

// probeOutside tells the server that the links out of the tree changed
// and asks for the one name only they reach: it must stay unknown.
func (d *driver) probeOutside() {
	if d.scratch == nil {
		return
	}
	var changes []any
	for _, name := range []string{"links/secret.c", "links/secret.rs", "links/sibling/secret.c"} {
		changes = append(changes, map[string]any{"uri": fileURI(filepath.Join(d.scratch.root, name)), "type": 1 + d.rng.IntN(2)})
	}
	d.notify("workspace/didChangeWatchedFiles", mustJSON(map[string]any{"changes": changes}))
	cl, err := d.c.send("workspace/symbol", mustJSON(map[string]any{"query": OutsideSecret}), false, expectResult)
	if err != nil {
		return
	}
	cl.after = func(res json.RawMessage) {
		if strings.Contains(string(res), OutsideSecret) {
			d.fail("workspace/symbol found %s, which only links out of the roots reach: %.300s", OutsideSecret, res)
		}
	}
	d.outstanding = append(d.outstanding, cl)
	d.count("outside probes")
}

func pick[T any](rng *rand.Rand, xs []T) T {
	return xs[rng.IntN(len(xs))]
}

// checkResult applies the checks every result must pass: ranges not
// inverted, no location outside the roots' reach.
func checkResult(d *driver, cl *call) {
	res := cl.result
	if !bytes.Contains(res, []byte(`"start"`)) && !bytes.Contains(res, []byte(`"uri"`)) {
		return
	}
	var v any
	if err := json.Unmarshal(res, &v); err != nil {
		d.fail("%s result does not decode: %v", cl.method, err)
		return
	}
	outside := ""
	if d.scratch != nil && !cl.outsideOK {
		outside = d.scratch.outside
	}
	if msg := walkResult(v, outside); msg != "" {
		d.fail("%s result: %s", cl.method, msg)
	}
}

// walkResult finds an inverted range, or a URI under outside (unless
// outside is empty), in v.
func walkResult(v any, outside string) string {
	switch v := v.(type) {
	case map[string]any:
		if s, e, ok := rangeEnds(v); ok && (e.Line < s.Line || e.Line == s.Line && e.Character < s.Character) {
			return fmt.Sprintf("inverted range %v", v)
		}
		for k, x := range v {
			if s, ok := x.(string); ok && outside != "" && (k == "uri" || k == "targetUri") && strings.HasPrefix(s, fileURI(outside)) {
				return fmt.Sprintf("a location outside the roots: %s", s)
			}
			if msg := walkResult(x, outside); msg != "" {
				return msg
			}
		}
	case []any:
		for _, x := range v {
			if msg := walkResult(x, outside); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// rangeEnds reads v as an LSP range.
func rangeEnds(v map[string]any) (start, end position, ok bool) {
	s, ok1 := v["start"].(map[string]any)
	e, ok2 := v["end"].(map[string]any)
	if !ok1 || !ok2 {
		return position{}, position{}, false
	}
	num := func(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }
	return position{num(s, "line"), num(s, "character")}, position{num(e, "line"), num(e, "character")}, true
}

// checkDiagnostic checks one pushed diagnostic against the rule
// contract: source rivet, a code, a range in order.
func checkDiagnostic(raw json.RawMessage) string {
	var dg struct {
		Range  lspRange `json:"range"`
		Source string   `json:"source"`
		Code   any      `json:"code"`
	}
	if err := json.Unmarshal(raw, &dg); err != nil {
		return fmt.Sprintf("a diagnostic does not decode: %v", err)
	}
	s, e := dg.Range.Start, dg.Range.End
	switch {
	case dg.Source != "rivet":
		return fmt.Sprintf("source %q, want rivet", dg.Source)
	case dg.Code == nil:
		return "a diagnostic without a code"
	case s.Line < 0 || s.Character < 0 || e.Line < s.Line || e.Line == s.Line && e.Character < s.Character:
		return fmt.Sprintf("bad range %+v", dg.Range)
	}
	return ""
}
