// Command standin is a tiny OpenAI-compatible server shaped like vLLM's, for the lab and the
// integration tests, where no GPU and no model weights exist. It takes vLLM's command line
// (unknown flags are ignored), answers /health, /v1/models, /v1/chat/completions and
// /v1/completions (streaming too), /v1/embeddings, and names itself and its model in every
// answer so a test can tell which backend served a request.
//
// Environment: STANDIN_NAME (the name in answers; default the host name), STANDIN_FAIL=1
// (chat and completions answer 500), STANDIN_DELAY_MS (wait before answering chat and
// completions, to exercise a gateway's timeout). GET /standin/stats counts requests.
package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
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
	"unicode/utf8"
)

// EmbeddingDims is the length of every embedding vector.
const EmbeddingDims = 8

// Options are the parts of vLLM's command line the stand-in acts on.
type Options struct {
	Model       string
	ServedNames []string
	Host        string
	Port        int
	MaxModelLen int
}

// valueFlags are vLLM flags that take a value; any other --flag is taken as boolean. An
// unknown flag's value is skipped as a stray word either way, so this list only has to be
// right for flags whose value could be mistaken for the positional model.
var valueFlags = map[string]bool{
	"--model": true, "--served-model-name": true, "--host": true, "--port": true,
	"--max-model-len": true, "--quantization": true, "--gpu-memory-utilization": true,
	"--task": true, "--dtype": true, "--tensor-parallel-size": true, "--pipeline-parallel-size": true,
	"--download-dir": true, "--api-key": true, "--max-num-seqs": true, "--max-num-batched-tokens": true,
	"--tokenizer": true, "--tokenizer-mode": true, "--revision": true, "--chat-template": true,
	"--kv-cache-dtype": true, "--runner": true, "--convert": true, "--seed": true, "--swap-space": true,
	"--uvicorn-log-level": true, "--config": true, "--load-format": true, "--tool-call-parser": true,
	"--reasoning-parser": true, "--generation-config": true, "--override-generation-config": true,
	"--limit-mm-per-prompt": true, "--root-path": true, "--lora-modules": true, "--max-loras": true,
	"--device": true, "--block-size": true, "--cpu-offload-gb": true, "--hf-overrides": true,
}

// ParseArgs reads vLLM's command line: `[vllm] [serve] [model] --flag value ...`. Flags may be
// written `--flag value` or `--flag=value`, with dashes or underscores (vLLM takes both).
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
			continue // a stray word: the value of an unknown flag
		}
		name = "--" + strings.ReplaceAll(name[2:], "_", "-")
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
			if err != nil || p < 0 || p > 65535 {
				return o, fmt.Errorf("--port: not a port: %q", value)
			}
			o.Port = p
		case "--max-model-len":
			n, err := parseModelLen(value)
			if err != nil {
				return o, fmt.Errorf("--max-model-len: %v", err)
			}
			o.MaxModelLen = n
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

// parseModelLen reads vLLM's --max-model-len: a number, optionally with k/K or m/M ("32k").
func parseModelLen(s string) (int, error) {
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "K"):
		mult, s = 1024, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "m"):
		mult, s = 1000000, strings.TrimSuffix(s, "m")
	case strings.HasSuffix(s, "M"):
		mult, s = 1024*1024, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, errors.New("not a length")
	}
	return n * mult, nil
}

type server struct {
	opts    Options
	name    string
	fail    bool
	delay   time.Duration
	created int64
	stats   struct{ requests, chat, completions, embeddings atomic.Int64 }
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

// writeError answers in both of vLLM's error shapes: the OpenAI one (`error`) and the older
// flat one (`object: "error"`, `message`, `type`, `code`).
func writeError(w http.ResponseWriter, status int, typ, message string) {
	writeJSON(w, status, map[string]any{
		"object": "error", "message": message, "type": typ, "param": nil, "code": status,
		"error": map[string]any{"message": message, "type": typ, "param": nil, "code": status},
	})
}

func unknownModel(w http.ResponseWriter, model string) {
	writeError(w, http.StatusNotFound, "NotFoundError", fmt.Sprintf("The model `%s` does not exist.", model))
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

// EmbeddingInputs reads an OpenAI embeddings input: a string, a list of strings, a list of
// token ids (one input), or a list of token-id lists. Token ids are hashed as written.
func EmbeddingInputs(input any) []string {
	switch in := input.(type) {
	case string:
		return []string{in}
	case []any:
		if len(in) == 0 {
			return nil
		}
		if _, ok := in[0].(float64); ok {
			b, _ := json.Marshal(in)
			return []string{string(b)}
		}
		var inputs []string
		for _, x := range in {
			if v, ok := x.(string); ok {
				inputs = append(inputs, v)
			} else {
				b, _ := json.Marshal(x)
				inputs = append(inputs, string(b))
			}
		}
		return inputs
	}
	return nil
}

// Base64Floats encodes a vector as vLLM and OpenAI do for encoding_format "base64": the
// little-endian float32 values, base64-encoded.
func Base64Floats(v []float64) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(x)))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Truncate keeps at most n runes of s.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (s *server) answer(model, prompt string) string {
	return fmt.Sprintf("standin %s model %s: %s", s.name, model, Truncate(prompt, 80))
}

// text reads an OpenAI content value: a string, or a list of parts of which the text ones count.
func text(v any) string {
	switch c := v.(type) {
	case nil:
		return ""
	case string:
		return c
	case []any:
		var parts []string
		for _, p := range c {
			switch part := p.(type) {
			case string:
				parts = append(parts, part)
			case map[string]any:
				if t, ok := part["text"].(string); ok {
					parts = append(parts, t)
				}
			default:
				parts = append(parts, fmt.Sprint(part))
			}
		}
		return strings.Join(parts, " ")
	default:
		return fmt.Sprint(c)
	}
}

func tokens(s string) int { return len(strings.Fields(s)) + 1 }

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"version": "standin"})
	})
	mux.HandleFunc("GET /standin/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]int64{"requests": s.stats.requests.Load(), "chat": s.stats.chat.Load(),
			"completions": s.stats.completions.Load(), "embeddings": s.stats.embeddings.Load()})
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		data := []map[string]any{}
		for _, n := range s.opts.ServedNames {
			m := map[string]any{"id": n, "object": "model", "created": s.created, "owned_by": "vllm",
				"root": s.opts.Model, "parent": nil, "permission": []any{}}
			if s.opts.MaxModelLen > 0 {
				m["max_model_len"] = s.opts.MaxModelLen
			}
			data = append(data, m)
		}
		writeJSON(w, 200, map[string]any{"object": "list", "data": data})
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { s.completion(w, r, true) })
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) { s.completion(w, r, false) })
	mux.HandleFunc("POST /v1/embeddings", s.embeddings)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFoundError", fmt.Sprintf("no route %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func (s *server) embeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model          string `json:"model"`
		Input          any    `json:"input"`
		EncodingFormat string `json:"encoding_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, 400, "BadRequestError", "invalid JSON: "+err.Error())
		return
	}
	if !s.served(req.Model) {
		unknownModel(w, req.Model)
		return
	}
	inputs := EmbeddingInputs(req.Input)
	if len(inputs) == 0 {
		writeError(w, 400, "BadRequestError", "input must be a string or a non-empty list")
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		writeError(w, 400, "BadRequestError", fmt.Sprintf("unknown encoding_format %q", req.EncodingFormat))
		return
	}
	s.stats.embeddings.Add(1)
	data := []map[string]any{}
	n := 0
	for i, t := range inputs {
		var vector any = Embedding(req.Model, t, EmbeddingDims)
		if req.EncodingFormat == "base64" {
			vector = Base64Floats(vector.([]float64))
		}
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": vector})
		n += tokens(t)
	}
	writeJSON(w, 200, map[string]any{"id": fmt.Sprintf("embd-%d", time.Now().UnixNano()), "object": "list",
		"created": time.Now().Unix(), "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": n, "total_tokens": n, "completion_tokens": 0}})
}

func (s *server) completion(w http.ResponseWriter, r *http.Request, chat bool) {
	var req struct {
		Model         string `json:"model"`
		Stream        bool   `json:"stream"`
		StreamOptions *struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
		Prompt   any `json:"prompt"`
		Messages []struct {
			Role    string `json:"role"`
			Content any    `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, 400, "BadRequestError", "invalid JSON: "+err.Error())
		return
	}
	if !s.served(req.Model) {
		unknownModel(w, req.Model)
		return
	}
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return
		}
	}
	if s.fail {
		writeError(w, 500, "InternalServerError", "standin told to fail (STANDIN_FAIL)")
		return
	}
	prompt := text(req.Prompt)
	if chat {
		s.stats.chat.Add(1)
		prompt = ""
		for _, m := range req.Messages {
			if m.Role == "user" {
				prompt = text(m.Content)
			}
		}
	} else {
		s.stats.completions.Add(1)
	}
	answer := s.answer(req.Model, prompt)
	id, created := fmt.Sprintf("chatcmpl-%d", time.Now().UnixNano()), time.Now().Unix()
	object := "chat.completion"
	if !chat {
		id, object = fmt.Sprintf("cmpl-%d", time.Now().UnixNano()), "text_completion"
	}
	pt, ct := tokens(prompt), len(strings.Fields(answer))
	usage := map[string]int{"prompt_tokens": pt, "completion_tokens": ct, "total_tokens": pt + ct}
	choice := func(content any, finish any) map[string]any {
		if chat {
			return map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content},
				"finish_reason": finish, "logprobs": nil}
		}
		return map[string]any{"index": 0, "text": content, "finish_reason": finish, "logprobs": nil}
	}
	if !req.Stream {
		writeJSON(w, 200, map[string]any{"id": id, "object": object, "created": created, "model": req.Model,
			"choices": []map[string]any{choice(answer, "stop")}, "usage": usage})
		return
	}

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher, _ := w.(http.Flusher)
	chunkObject := object
	if chat {
		chunkObject = "chat.completion.chunk"
	}
	send := func(choices []map[string]any, extra map[string]any) {
		chunk := map[string]any{"id": id, "object": chunkObject, "created": created, "model": req.Model, "choices": choices}
		for k, v := range extra {
			chunk[k] = v
		}
		b, _ := json.Marshal(chunk)
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	piece := func(content string, finish any) []map[string]any {
		if chat {
			delta := map[string]any{}
			if content != "" {
				delta["content"] = content
			}
			return []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}
		}
		return []map[string]any{choice(content, finish)}
	}
	if chat {
		send([]map[string]any{{"index": 0, "delta": map[string]any{"role": "assistant", "content": ""}, "finish_reason": nil, "logprobs": nil}}, nil)
	}
	for _, word := range strings.SplitAfter(answer, " ") {
		send(piece(word, nil), nil)
	}
	send(piece("", "stop"), nil)
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		send([]map[string]any{}, map[string]any{"usage": usage})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

func newServer(opts Options, getenv func(string) string) *server {
	name := getenv("STANDIN_NAME")
	if name == "" {
		name, _ = os.Hostname()
	}
	delay, _ := strconv.Atoi(getenv("STANDIN_DELAY_MS"))
	return &server{opts: opts, name: name, fail: getenv("STANDIN_FAIL") == "1",
		delay: time.Duration(delay) * time.Millisecond, created: time.Now().Unix()}
}

// statusRecorder remembers the status a handler answered, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// handler counts every request, routes it, and writes an access line like vLLM's (uvicorn's)
// to logger when there is one.
func (s *server) handler(logger *log.Logger) http.Handler {
	mux := s.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.stats.requests.Add(1)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		if logger != nil {
			logger.Printf("INFO: %s - \"%s %s %s\" %d %s", r.RemoteAddr, r.Method, r.URL.RequestURI(), r.Proto, rec.status, http.StatusText(rec.status))
		}
	})
}

func main() {
	opts, err := ParseArgs(os.Args[1:])
	if err != nil {
		log.Fatalf("standin: %v", err)
	}
	s := newServer(opts, os.Getenv)
	addr := net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))
	log.Printf("standin %s serving %v (%s) on %s", s.name, opts.ServedNames, opts.Model, addr)
	log.Fatal((&http.Server{Addr: addr, Handler: s.handler(log.Default()), ReadHeaderTimeout: 10 * time.Second}).ListenAndServe())
}
