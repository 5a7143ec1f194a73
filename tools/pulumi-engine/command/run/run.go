// Package run holds what local and remote commands share: the logging choice, output
// capture, and the environment variables that carry a previous run's output.
package run

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"
	"sync"

	p "github.com/pulumi/pulumi-go-provider"
)

// Names of the variables that carry the previous create/update's output.
const (
	EnvStdout = "PULUMI_COMMAND_STDOUT"
	EnvStderr = "PULUMI_COMMAND_STDERR"
)

// Logging says which of a command's streams go to the Pulumi log; nil means both.
type Logging string

const (
	LogStdout          Logging = "stdout"
	LogStderr          Logging = "stderr"
	LogStdoutAndStderr Logging = "stdoutAndStderr"
	LogNone            Logging = "none"
)

func (l *Logging) stdout() bool { return l == nil || *l == LogStdout || *l == LogStdoutAndStderr }
func (l *Logging) stderr() bool { return l == nil || *l == LogStderr || *l == LogStdoutAndStderr }

// Capture collects a command's stdout and stderr, both apart and interleaved (for error
// messages), and streams the chosen ones, line by line, to the engine's log.
type Capture struct {
	stdout, stderr bytes.Buffer
	both           lockedBuffer
	logW           *io.PipeWriter
	done           chan struct{}
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(data)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(data []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(data)
}

// NewCapture starts the log forwarder; call Writers for the process, then Finish.
func NewCapture(ctx context.Context, logging *Logging) (*Capture, io.Writer, io.Writer) {
	r, w := io.Pipe()
	c := &Capture{logW: w, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		scanner := bufio.NewScanner(r)
		scanner.Buffer(make([]byte, 64*1024), 16*1024*1024)
		for scanner.Scan() {
			p.GetLogger(ctx).InfoStatus(scanner.Text())
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	var logMu sync.Mutex
	logTo := lockedWriter{mu: &logMu, w: w}
	outs := []io.Writer{&c.stdout, &c.both}
	if logging.stdout() {
		outs = append(outs, logTo)
	}
	errs := []io.Writer{&c.stderr, &c.both}
	if logging.stderr() {
		errs = append(errs, logTo)
	}
	return c, io.MultiWriter(outs...), io.MultiWriter(errs...)
}

// Finish waits for the log forwarder and returns stdout and stderr without one trailing
// newline, as the upstream provider records them.
func (c *Capture) Finish() (stdout, stderr string) {
	_ = c.logW.Close()
	<-c.done
	return strings.TrimSuffix(c.stdout.String(), "\n"), strings.TrimSuffix(c.stderr.String(), "\n")
}

// Combined is stdout and stderr interleaved, for error messages.
func (c *Capture) Combined() string {
	c.both.mu.Lock()
	defer c.both.mu.Unlock()
	return c.both.buf.String()
}
