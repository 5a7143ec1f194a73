package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestParseArgsTakesVllmCommandLine(t *testing.T) {
	o, err := ParseArgs([]string{"--model", "Qwen/Qwen2.5-7B-Instruct-AWQ", "--served-model-name", "qwen2.5-7b-awq",
		"--host", "127.0.0.1", "--port", "8123", "--max-model-len", "32768", "--quantization", "awq", "--trust-remote-code",
		"--gpu-memory-utilization=0.9", "--task", "embed"})
	if err != nil {
		t.Fatal(err)
	}
	want := Options{Model: "Qwen/Qwen2.5-7B-Instruct-AWQ", ServedNames: []string{"qwen2.5-7b-awq"}, Host: "127.0.0.1", Port: 8123, MaxModelLen: 32768}
	if !reflect.DeepEqual(o, want) {
		t.Fatalf("got %+v, want %+v", o, want)
	}
}

func TestParseArgsServePositionalModel(t *testing.T) {
	o, err := ParseArgs([]string{"vllm", "serve", "BAAI/bge-base-en-v1.5", "--port", "8200"})
	if err != nil || o.Model != "BAAI/bge-base-en-v1.5" || o.ServedNames[0] != "BAAI/bge-base-en-v1.5" || o.Port != 8200 {
		t.Fatalf("got %+v, %v", o, err)
	}
}

func TestParseArgsRejectsMissingValue(t *testing.T) {
	if _, err := ParseArgs([]string{"--port"}); err == nil {
		t.Fatal("want an error for --port without a value")
	}
}

func newTestServer(fail bool) *httptest.Server {
	s := &server{opts: Options{Model: "m", ServedNames: []string{"chat-model"}, MaxModelLen: 4096}, name: "armitage", fail: fail, created: 1}
	return httptest.NewServer(s.routes())
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

func TestHealthAndModels(t *testing.T) {
	ts := newTestServer(false)
	defer ts.Close()
	res, err := http.Get(ts.URL + "/health")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("health: %v %v", res, err)
	}
	res, err = http.Get(ts.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID          string `json:"id"`
			Object      string `json:"object"`
			OwnedBy     string `json:"owned_by"`
			MaxModelLen int    `json:"max_model_len"`
		} `json:"data"`
	}
	_ = json.NewDecoder(res.Body).Decode(&list)
	if list.Object != "list" || len(list.Data) != 1 || list.Data[0].ID != "chat-model" || list.Data[0].OwnedBy != "vllm" || list.Data[0].MaxModelLen != 4096 {
		t.Fatalf("models: %+v", list)
	}
}

func TestChatNamesHostAndModel(t *testing.T) {
	ts := newTestServer(false)
	defer ts.Close()
	res, out := post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[{"role":"user","content":"hi"}]}`)
	if res.StatusCode != 200 || out["object"] != "chat.completion" {
		t.Fatalf("chat: %d %v", res.StatusCode, out)
	}
	msg := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"].(string)
	if msg != "standin armitage model chat-model: hi" {
		t.Fatalf("answer %q", msg)
	}
}

func TestChatStreams(t *testing.T) {
	ts := newTestServer(false)
	defer ts.Close()
	res, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(`{"model":"chat-model","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	buf := string(raw)
	if res.Header.Get("Content-Type") != "text/event-stream" || !strings.HasSuffix(buf, "data: [DONE]\n\n") || !strings.Contains(buf, "chat.completion.chunk") {
		t.Fatalf("stream: %q", buf)
	}
}

func TestUnknownModelIs404LikeVllm(t *testing.T) {
	ts := newTestServer(false)
	defer ts.Close()
	res, out := post(t, ts.URL+"/v1/chat/completions", `{"model":"other","messages":[]}`)
	if res.StatusCode != 404 || out["message"] != "The model `other` does not exist." {
		t.Fatalf("got %d %v", res.StatusCode, out)
	}
}

func TestFailingStandinAnswers500(t *testing.T) {
	ts := newTestServer(true)
	defer ts.Close()
	if res, _ := post(t, ts.URL+"/v1/chat/completions", `{"model":"chat-model","messages":[]}`); res.StatusCode != 500 {
		t.Fatalf("got %d", res.StatusCode)
	}
}

func TestEmbeddingsAreDeterministicUnitVectors(t *testing.T) {
	a, b := Embedding("m", "text", 8), Embedding("m", "text", 8)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, Embedding("m", "other", 8)) {
		t.Fatal("embeddings must depend on the text only, deterministically")
	}
	ts := newTestServer(false)
	defer ts.Close()
	res, out := post(t, ts.URL+"/v1/embeddings", `{"model":"chat-model","input":["a","b"]}`)
	if res.StatusCode != 200 || len(out["data"].([]any)) != 2 {
		t.Fatalf("embeddings: %d %v", res.StatusCode, out)
	}
}
