// Command standin is a tiny OpenAI-compatible server shaped like vLLM's, for the lab and the
// integration tests, where no GPU and no model weights exist. It takes vLLM's command line
// (unknown flags are ignored), answers /health, /v1/models, /v1/chat/completions (streaming
// too), /v1/completions and /v1/embeddings, and names itself and its model in every answer so
// a test can tell which backend served a request.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Options are the parts of vLLM's command line the stand-in acts on.
type Options struct {
	Model       string
	ServedNames []string
	Host        string
	Port        int
	MaxModelLen int
}

// valueFlags are vLLM flags that take a value; any other --flag is taken as boolean.
var valueFlags = map[string]bool{
	"--model": true, "--served-model-name": true, "--host": true, "--port": true,
	"--max-model-len": true, "--quantization": true, "--gpu-memory-utilization": true,
	"--task": true, "--dtype": true, "--tensor-parallel-size": true, "--download-dir": true,
	"--api-key": true, "--max-num-seqs": true, "--tokenizer": true, "--revision": true,
	"--chat-template": true, "--kv-cache-dtype": true, "--runner": true, "--convert": true,
}

// ParseArgs reads vLLM's command line: `[vllm] [serve] [model] --flag value ...`.
func ParseArgs(args []string) (Options, error) {
	o := Options{Host: "0.0.0.0", Port: 8000}
	for len(args) > 0 && (args[0] == "vllm" || args[0] == "serve") {
		args = args[1:]
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		o.Model, args = args[0], args[1:]
	}
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		if !strings.HasPrefix(name, "--") {
			continue
		}
		if !hasValue && valueFlags[name] {
			if i+1 >= len(args) {
				return o, fmt.Errorf("%s needs a value", name)
			}
			i++
			value = args[i]
		}
		switch name {
		case "--model":
			o.Model = value
		case "--served-model-name":
			o.ServedNames = append(o.ServedNames, value)
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				o.ServedNames = append(o.ServedNames, args[i])
			}
		case "--host":
			o.Host = value
		case "--port":
			p, err := strconv.Atoi(value)
			if err != nil {
				return o, fmt.Errorf("--port: %v", err)
			}
			o.Port = p
		case "--max-model-len":
			o.MaxModelLen, _ = strconv.Atoi(value)
		}
	}
	if o.Model == "" {
		o.Model = "standin-model"
	}
	if len(o.ServedNames) == 0 {
		o.ServedNames = []string{o.Model}
	}
	return o, nil
}

type server struct {
	opts    Options
	name    string
	fail    bool
	created int64
	stats   struct{ requests, chat, embeddings atomic.Int64 }
}

func (s *server) served(model string) bool {
	for _, n := range s.opts.ServedNames {
		if n == model {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func errorBody(status int, typ, message string) map[string]any {
	return map[string]any{"object": "error", "message": message, "type": typ, "param": nil, "code": status,
		"error": map[string]any{"message": message, "type": typ, "code": status}}
}

// Embedding is a deterministic unit vector derived from the text and the model.
func Embedding(model, text string, dims int) []float64 {
	v := make([]float64, dims)
	var norm float64
	for i := range v {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%d", model, text, i)))
		v[i] = float64(int32(binary.BigEndian.Uint32(h[:4]))) / math.MaxInt32
		norm += v[i] * v[i]
	}
	for i := range v {
		v[i] = math.Round(v[i]/math.Sqrt(norm)*1e6) / 1e6
	}
	return v
}

func (s *server) answer(model, prompt string) string {
	if len(prompt) > 80 {
		prompt = prompt[:80]
	}
	return fmt.Sprintf("standin %s model %s: %s", s.name, model, prompt)
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /standin/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]int64{"requests": s.stats.requests.Load(), "chat": s.stats.chat.Load(), "embeddings": s.stats.embeddings.Load()})
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		data := []map[string]any{}
		for _, n := range s.opts.ServedNames {
			m := map[string]any{"id": n, "object": "model", "created": s.created, "owned_by": "vllm", "root": s.opts.Model, "parent": nil}
			if s.opts.MaxModelLen > 0 {
				m["max_model_len"] = s.opts.MaxModelLen
			}
			data = append(data, m)
		}
		writeJSON(w, 200, map[string]any{"object": "list", "data": data})
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		s.completion(w, r, true)
	})
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) {
		s.completion(w, r, false)
	})
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
			Input any    `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeJSON(w, 400, errorBody(400, "BadRequestError", err.Error()))
			return
		}
		if !s.served(req.Model) {
			writeJSON(w, 404, errorBody(404, "NotFoundError", fmt.Sprintf("The model `%s` does not exist.", req.Model)))
			return
		}
		s.stats.embeddings.Add(1)
		var inputs []string
		switch in := req.Input.(type) {
		case string:
			inputs = []string{in}
		case []any:
			for _, x := range in {
				inputs = append(inputs, fmt.Sprint(x))
			}
		}
		data := []map[string]any{}
		tokens := 0
		for i, text := range inputs {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": Embedding(req.Model, text, 8)})
			tokens += len(strings.Fields(text)) + 1
		}
		writeJSON(w, 200, map[string]any{"id": fmt.Sprintf("embd-%d", time.Now().UnixNano()), "object": "list", "created": time.Now().Unix(),
			"model": req.Model, "data": data, "usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens, "completion_tokens": 0}})
	})
	return mux
}

func (s *server) completion(w http.ResponseWriter, r *http.Request, chat bool) {
	var req struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Prompt   any    `json:"prompt"`
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, 400, errorBody(400, "BadRequestError", err.Error()))
		return
	}
	if !s.served(req.Model) {
		writeJSON(w, 404, errorBody(404, "NotFoundError", fmt.Sprintf("The model `%s` does not exist.", req.Model)))
		return
	}
	if s.fail {
		writeJSON(w, 500, errorBody(500, "InternalServerError", "standin told to fail (STANDIN_FAIL)"))
		return
	}
	s.stats.chat.Add(1)
	prompt := fmt.Sprint(req.Prompt)
	for _, m := range req.Messages {
		if m.Role == "user" {
			prompt = fmt.Sprint(m.Content)
		}
	}
	text := s.answer(req.Model, prompt)
	id, created := fmt.Sprintf("chatcmpl-%d", time.Now().UnixNano()), time.Now().Unix()
	usage := map[string]int{"prompt_tokens": len(strings.Fields(prompt)) + 1, "completion_tokens": len(strings.Fields(text)), "total_tokens": len(strings.Fields(prompt)) + 1 + len(strings.Fields(text))}
	if !chat {
		writeJSON(w, 200, map[string]any{"id": id, "object": "text_completion", "created": created, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "text": text, "finish_reason": "stop", "logprobs": nil}}, "usage": usage})
		return
	}
	if !req.Stream {
		writeJSON(w, 200, map[string]any{"id": id, "object": "chat.completion", "created": created, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": text}, "finish_reason": "stop", "logprobs": nil}},
			"usage":   usage})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	send := func(delta map[string]any, finish any) {
		chunk := map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	send(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, word := range strings.SplitAfter(text, " ") {
		send(map[string]any{"content": word}, nil)
	}
	send(map[string]any{}, "stop")
	fmt.Fprint(w, "data: [DONE]\n\n")
}

func main() {
	opts, err := ParseArgs(os.Args[1:])
	if err != nil {
		log.Fatalf("standin: %v", err)
	}
	name := os.Getenv("STANDIN_NAME")
	if name == "" {
		name, _ = os.Hostname()
	}
	s := &server{opts: opts, name: name, fail: os.Getenv("STANDIN_FAIL") == "1", created: time.Now().Unix()}
	mux := s.routes()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stats.requests.Add(1)
		mux.ServeHTTP(w, r)
	})
	addr := net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))
	log.Printf("standin %s serving %v (%s) on %s", name, opts.ServedNames, opts.Model, addr)
	log.Fatal((&http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 10 * time.Second}).ListenAndServe())
}
