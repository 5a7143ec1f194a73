package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseArgsTakesVllmCommandLine(t *testing.T) {
	o, err := ParseArgs([]string{"--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--served-model-name", "qwen2.5-7b-awq",
		"--host", "127.0.0.1", "--port", "8123", "--max-model-len", "32768", "--quantization", "awq", "--trust-remote-code",
		"--gpu-memory-utilization=0.9", "--task", "embed", "--enforce-eager", "--dtype", "half"})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Model: "Qwen/Qwen2.5-7B-Instruct-AWQ", ServedNames: []string{"qwen2.5-7b-awq"}, Host: "127.0.0.1", Port: 8123, MaxModelLen: 32768}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got %+v, want %+v", o, want)
	}
}

func TestParseArgsDefaults(t *testing.T) {
	o, err := ParseArgs(nil)
	if err != nil || o.Host != "0.0.0.0" || o.Port != 8000 || o.ServedNames[0] != o.Model {
		t.Fatalf("got %+v, %v", o, err)
	}
}

func TestParseArgsServePositionalModel(t *testing.T) {
	for _, args := range [][]string{
		{"vllm", "serve", "BAAI/bge-base-en-v1.5", "--port", "8200"},
		{"serve", "BAAI/bge-base-en-v1.5", "--port=8200"},
		{"BAAI/bge-base-en-v1.5", "--port", "8200"},
	} {
		o, err := ParseArgs(args)
		if err != nil || o.Model != "BAAI/bge-base-en-v1.5" || !reflect.DeepEqual(o.ServedNames, []string{"BAAI/bge-base-en-v1.5"}) || o.Port != 8200 {
			t.Fatalf("%v: got %+v, %v", args, o, err)
		}
	}
}

func TestParseArgsSeveralServedNames(t *testing.T) {
	o, err := ParseArgs([]string{"--model", "m", "--served-model-name", "a", "b", "--port", "1", "--served_model_name=c", "--max_model_len", "32k"})
	if err != nil || !reflect.DeepEqual(o.ServedNames, []string{"a", "b", "c"}) || o.Port != 1 || o.MaxModelLen != 32000 {
		t.Fatalf("got %+v, %v", o, err)
	}
}

func TestParseArgsIgnoresUnknownFlags(t *testing.T) {
	o, err := ParseArgs([]string{"serve", "m", "--some-new-flag", "value", "--another-bool", "--port", "9000", "--limit-mm-per-prompt", `{"image":0}`})
	if err != nil || o.Model != "m" || o.Port != 9000 {
		t.Fatalf("got %+v, %v", o, err)
	}
}

func TestParseArgsRejectsBadValues(t *testing.T) {
	for _, args := range [][]string{{"--port"}, {"--port", "x"}, {"--port", "70000"}, {"--max-model-len", "lots"}} {
		if _, err := ParseArgs(args); err == nil {
			t.Fatalf("%v: want an error", args)
		}
	}
}

func TestNameFromEnvOrHostname(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s := newServer(Options{}, env(map[string]string{"STANDIN_NAME": "armitage", "STANDIN_FAIL": "1", "STANDIN_DELAY_MS": "20"}))
	if s.name != "armitage" || !s.fail || s.delay != 20*time.Millisecond {
		t.Fatalf("got %+v", s)
	}
	if s := newServer(Options{}, env(nil)); s.name == "" || s.fail || s.delay != 0 {
		t.Fatalf("want the host name and no failure, got %+v", s)
	}
}

func newTestServer(t *testing.T, fail bool) (*httptest.Server, *server) {
	t.Helper()
	s := &server{opts: Options{Model: "org/m", ServedNames: []string{"chat-model", "other-name"}, MaxModelLen: 4096}, name: "armitage", fail: fail, created: 1}
	ts := httptest.NewServer(s.handler(nil))
	t.Cleanup(ts.Close)
	return ts, s
}

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res, out
}

func get(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if v != nil {
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v in %q", url, err, raw)
		}
	} else if len(raw) != 0 {
		t.Fatalf("%s: want an empty body, got %q", url, raw)
	}
	return res
}

func TestHealthIsEmpty200(t *testing.T) {
	ts, _ := newTestServer(t, false)
	if res := get(t, ts.URL+"/health", nil); res.StatusCode != 200 {
		t.Fatalf("health: %d", res.StatusCode)
	}
}

func TestModelsListsEveryServedName(t *testing.T) {
	ts, _ := newTestServer(t, false)
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID          string `json:"id"`
			Object      string `json:"object"`
			OwnedBy     string `json:"owned_by"`
			Root        string `json:"root"`
			Parent      any    `json:"parent"`
			Created     int64  `json:"created"`
			MaxModelLen int    `json:"max_model_len"`
		} `json:"data"`
	}
	get(t, ts.URL+"/v1/models", &list)
	if list.Object != "list" || len(list.Data) != 2 || list.Data[0].ID != "chat-model" || list.Data[1].ID != "other-name" {
		t.Fatalf("models: %+v", list)
	}
	m := list.Data[0]
	if m.Object != "model" || m.OwnedBy != "vllm" || m.Root != "org/m" || m.Parent != nil || m.Created != 1 || m.MaxModelLen != 4096 {
		t.Fatalf("model: %+v", m)
	}
}

func TestChatNamesHostAndModel(t *testing.T) {
	ts, _ := newTestServer(t, false)
	res, out := post(t, ts.URL+"/v1/chat/completions",
		`{"model":"other-name","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":"hi there"}]}`)
	if res.StatusCode != 200 || out["object"] != "chat.completion" || out["model"] != "other-name" || !strings.HasPrefix(out["id"].(string), "chatcmpl-") {
		t.Fatalf("chat: %d %v", res.StatusCode, out)
	}
	choice := out["choices"].([]any)[0].(map[string]any)
	msg := choice["message"].(map[string]any)
	if msg["role"] != "assistant" || msg["content"] != "standin armitage model other-name: hi there" || choice["finish_reason"] != "stop" || choice["index"].(float64) != 0 {
		t.Fatalf("choice %v", choice)
	}
	usage := out["usage"].(map[string]any)
	if usage["total_tokens"].(float64) != usage["prompt_tokens"].(float64)+usage["completion_tokens"].(float64) {
		t.Fatalf("usage %v", usage)
	}
}

func TestChatContentPartsAndTruncation(t *testing.T) {
	ts, _ := newTestServer(t, false)
	long := strings.Repeat("é", 100)
	_, out := post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[{"role":"user","content":[{"type":"text","text":"`+long+`"}]}]}`)
	content := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
	if content != "standin armitage model chat-model: "+strings.Repeat("é", 80) {
		t.Fatalf("content %q", content)
	}
}

func readStream(t *testing.T, url, body string) (string, []map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s %q", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	buf := string(raw)
	if !strings.HasSuffix(buf, "data: [DONE]\n\n") {
		t.Fatalf("stream does not end with [DONE]: %q", buf)
	}
	var chunks []map[string]any
	for _, event := range strings.Split(strings.TrimSuffix(buf, "data: [DONE]\n\n"), "\n\n") {
		if event == "" {
			continue
		}
		var c map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(event, "data: ")), &c); err != nil {
			t.Fatalf("chunk %q: %v", event, err)
		}
		chunks = append(chunks, c)
	}
	return buf, chunks
}

func TestChatStreams(t *testing.T) {
	ts, _ := newTestServer(t, false)
	_, chunks := readStream(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}`)
	var text strings.Builder
	finish := ""
	for _, c := range chunks {
		if c["object"] != "chat.completion.chunk" {
			t.Fatalf("chunk %v", c)
		}
		for _, ch := range c["choices"].([]any) {
			choice := ch.(map[string]any)
			if s, ok := choice["delta"].(map[string]any)["content"].(string); ok {
				text.WriteString(s)
			}
			if f, ok := choice["finish_reason"].(string); ok {
				finish = f
			}
		}
	}
	if text.String() != "standin armitage model chat-model: hi" || finish != "stop" {
		t.Fatalf("streamed %q, finish %q", text.String(), finish)
	}
	if last := chunks[len(chunks)-1]; last["usage"] == nil || len(last["choices"].([]any)) != 0 {
		t.Fatalf("want a final usage chunk, got %v", last)
	}
}

func TestCompletions(t *testing.T) {
	ts, _ := newTestServer(t, false)
	res, out := post(t, ts.URL+"/v1/completions", `{"model":"chat-model","prompt":"say hi"}`)
	if res.StatusCode != 200 || out["object"] != "text_completion" || out["usage"] == nil {
		t.Fatalf("completions: %d %v", res.StatusCode, out)
	}
	if got := out["choices"].([]any)[0].(map[string]any)["text"]; got != "standin armitage model chat-model: say hi" {
		t.Fatalf("text %q", got)
	}
	buf, chunks := readStream(t, ts.URL+"/v1/completions", `{"model":"chat-model","prompt":"say hi","stream":true}`)
	if len(chunks) < 2 || chunks[0]["object"] != "text_completion" || !strings.Contains(buf, `"say `) {
		t.Fatalf("stream %q", buf)
	}
}

func TestUnknownModelIs404LikeVllm(t *testing.T) {
	ts, _ := newTestServer(t, false)
	for _, path := range []string{"/v1/chat/completions", "/v1/completions", "/v1/embeddings"} {
		res, out := post(t, ts.URL+path, `{"model":"nope","messages":[],"prompt":"x","input":"x"}`)
		e, _ := out["error"].(map[string]any)
		if res.StatusCode != 404 || out["message"] != "The model `nope` does not exist." || e == nil ||
			e["message"] != "The model `nope` does not exist." || e["type"] != "NotFoundError" || e["code"].(float64) != 404 {
			t.Fatalf("%s: got %d %v", path, res.StatusCode, out)
		}
	}
}

func TestBadJSONIs400(t *testing.T) {
	ts, _ := newTestServer(t, false)
	if res, out := post(t, ts.URL+"/v1/chat/completions", `{`); res.StatusCode != 400 || out["error"] == nil {
		t.Fatalf("got %d %v", res.StatusCode, out)
	}
}

func TestFailingStandinAnswers500(t *testing.T) {
	ts, _ := newTestServer(t, true)
	if res, out := post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[]}`); res.StatusCode != 500 || out["error"] == nil {
		t.Fatalf("got %d %v", res.StatusCode, out)
	}
	if res, _ := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":"x"}`); res.StatusCode != 200 {
		t.Fatalf("embeddings must still answer, got %d", res.StatusCode)
	}
}

func TestDelay(t *testing.T) {
	ts, s := newTestServer(t, false)
	s.delay = 150 * time.Millisecond
	start := time.Now()
	if res, _ := post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[]}`); res.StatusCode != 200 || time.Since(start) < s.delay {
		t.Fatalf("got %d after %v", res.StatusCode, time.Since(start))
	}
}

func TestEmbeddingsAreDeterministicUnitVectors(t *testing.T) {
	a, b := Embedding("m", "text", EmbeddingDims), Embedding("m", "text", EmbeddingDims)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, Embedding("m", "other", EmbeddingDims)) || reflect.DeepEqual(a, Embedding("n", "text", EmbeddingDims)) {
		t.Fatal("embeddings must depend on the text and the model, deterministically")
	}
	var norm float64
	for _, x := range a {
		norm += x * x
	}
	if len(a) != EmbeddingDims || math.Abs(norm-1) > 1e-5 {
		t.Fatalf("want a unit vector of %d, got %v (norm² %v)", EmbeddingDims, a, norm)
	}
}

func TestEmbeddingsEndpoint(t *testing.T) {
	ts, _ := newTestServer(t, false)
	res, out := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":["a","b"]}`)
	data, _ := out["data"].([]any)
	if res.StatusCode != 200 || out["object"] != "list" || out["model"] != "chat-model" || len(data) != 2 || out["usage"] == nil {
		t.Fatalf("embeddings: %d %v", res.StatusCode, out)
	}
	second := data[1].(map[string]any)
	if second["object"] != "embedding" || second["index"].(float64) != 1 || len(second["embedding"].([]any)) != EmbeddingDims {
		t.Fatalf("item %v", second)
	}
	_, one := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":"b"}`)
	if !reflect.DeepEqual(one["data"].([]any)[0].(map[string]any)["embedding"], second["embedding"]) {
		t.Fatal("a string input and the same string in a list must embed alike")
	}
	if res, _ := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":[]}`); res.StatusCode != 400 {
		t.Fatalf("empty input: %d", res.StatusCode)
	}
}

func TestStatsCountRequests(t *testing.T) {
	ts, _ := newTestServer(t, false)
	post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[]}`)
	post(t, ts.URL+"/v1/chat/completions", `{"model":"nope","messages":[]}`)
	post(t, ts.URL+"/v1/completions", `{"model":"chat-model","prompt":"x"}`)
	post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":"x"}`)
	var stats map[string]int64
	get(t, ts.URL+"/standin/stats", &stats)
	want := map[string]int64{"requests": 5, "chat": 1, "completions": 1, "embeddings": 1}
	if !reflect.DeepEqual(stats, want) {
		t.Fatalf("stats %v, want %v", stats, want)
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	ts, _ := newTestServer(t, false)
	var out map[string]any
	if res := get(t, ts.URL+"/v2/nothing", &out); res.StatusCode != 404 || out["error"] == nil {
		t.Fatalf("got %d %v", res.StatusCode, out)
	}
}

func TestAccessLog(t *testing.T) {
	s := &server{opts: Options{Model: "m", ServedNames: []string{"m"}}, name: "x"}
	var buf strings.Builder
	ts := httptest.NewServer(s.handler(log.New(&buf, "", 0)))
	defer ts.Close()
	post(t, ts.URL+"/v1/chat/completions", `{"model":"nope","messages":[]}`)
	if !strings.Contains(buf.String(), `"POST /v1/chat/completions HTTP/1.1" 404 Not Found`) {
		t.Fatalf("access log %q", buf.String())
	}
}

func TestEmbeddingInputs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{`"a"`, []string{"a"}},
		{`["a","b"]`, []string{"a", "b"}},
		{`[1,2,3]`, []string{"[1,2,3]"}},
		{`[[1,2],[3]]`, []string{"[1,2]", "[3]"}},
		{`[]`, nil},
		{`5`, nil},
	} {
		var v any
		_ = json.Unmarshal([]byte(c.in), &v)
		if got := EmbeddingInputs(v); !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s: got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEmbeddingsBase64(t *testing.T) {
	ts, _ := newTestServer(t, false)
	_, out := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":"x","encoding_format":"base64"}`)
	got, _ := out["data"].([]any)[0].(map[string]any)["embedding"].(string)
	raw, err := base64.StdEncoding.DecodeString(got)
	if err != nil || len(raw) != 4*EmbeddingDims {
		t.Fatalf("base64 %q: %v", got, err)
	}
	want := Embedding("chat-model", "x", EmbeddingDims)
	for i := range want {
		if f := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); math.Abs(float64(f)-want[i]) > 1e-6 {
			t.Fatalf("component %d: %v, want %v", i, f, want[i])
		}
	}
	if res, _ := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":"x","encoding_format":"int8"}`); res.StatusCode != 400 {
		t.Fatalf("unknown encoding: %d", res.StatusCode)
	}
}
