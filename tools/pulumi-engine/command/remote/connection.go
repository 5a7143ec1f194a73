package remote

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// Endpoint is what a connection and its proxy have in common (command:remote:Connection,
// command:remote:ProxyConnection).
type Endpoint struct {
	User               *string  `pulumi:"user,optional"`
	Password           *string  `pulumi:"password,optional" provider:"secret"`
	Host               *string  `pulumi:"host"`
	Port               *float64 `pulumi:"port,optional"`
	PrivateKey         *string  `pulumi:"privateKey,optional" provider:"secret"`
	PrivateKeyPassword *string  `pulumi:"privateKeyPassword,optional" provider:"secret"`
	AgentSocketPath    *string  `pulumi:"agentSocketPath,optional"`
	DialErrorLimit     *int     `pulumi:"dialErrorLimit,optional"`
	PerDialTimeout     *int     `pulumi:"perDialTimeout,optional"`
	HostKey            *string  `pulumi:"hostKey,optional"`
}

// Connection is command:remote:Connection.
type Connection struct {
	Endpoint
	Proxy *ProxyConnection `pulumi:"proxy,optional"`
}

// ProxyConnection is command:remote:ProxyConnection (a bastion).
type ProxyConnection struct {
	Endpoint
}

func annotateEndpoint(a infer.Annotator, e *Endpoint) {
	a.SetDefault(&e.User, "root")
	a.SetDefault(&e.Port, 22)
	a.SetDefault(&e.DialErrorLimit, 10)
	a.SetDefault(&e.PerDialTimeout, 15)
	a.Describe(&e.HostKey, "The expected host key (authorized_keys format); without it the host key is not checked.")
	a.Describe(&e.DialErrorLimit, "Failed dials allowed before giving up; -1 for no limit. Defaults to 10.")
	a.Describe(&e.PerDialTimeout, "Seconds allowed for each dial; 0 for no limit. Defaults to 15.")
}

// Annotate sets defaults and the schema token.
func (c *Connection) Annotate(a infer.Annotator) {
	a.SetToken("remote", "Connection")
	annotateEndpoint(a, &c.Endpoint)
}

// Annotate sets defaults and the schema token.
func (c *ProxyConnection) Annotate(a infer.Annotator) {
	a.SetToken("remote", "ProxyConnection")
	annotateEndpoint(a, &c.Endpoint)
}

func (e *Endpoint) address() string {
	port := 22
	if e.Port != nil {
		port = int(*e.Port)
	}
	host := ""
	if e.Host != nil {
		host = *e.Host
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

func (e *Endpoint) dialLimit() int {
	if e.DialErrorLimit == nil {
		return 10
	}
	return *e.DialErrorLimit
}

func (e *Endpoint) clientConfig() (*ssh.ClientConfig, error) {
	cfg := &ssh.ClientConfig{User: "root", Timeout: 15 * time.Second}
	if e.User != nil {
		cfg.User = *e.User
	}
	if e.PerDialTimeout != nil {
		cfg.Timeout = time.Duration(*e.PerDialTimeout) * time.Second
	}
	if e.HostKey != nil {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(*e.HostKey))
		if err != nil {
			return nil, fmt.Errorf("failed to parse host key: %w", err)
		}
		cfg.HostKeyCallback = ssh.FixedHostKey(key)
		cfg.HostKeyAlgorithms = []string{key.Type()}
	} else {
		cfg.HostKeyCallback = ssh.InsecureIgnoreHostKey() //nolint:gosec // the documented behaviour without hostKey
	}
	if e.PrivateKey != nil {
		var signer ssh.Signer
		var err error
		if e.PrivateKeyPassword != nil {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(*e.PrivateKey), []byte(*e.PrivateKeyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(*e.PrivateKey))
		}
		if err != nil {
			return nil, err
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if e.Password != nil {
		password := *e.Password
		cfg.Auth = append(cfg.Auth, ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = password
				}
				return answers, nil
			}))
	}
	socket := os.Getenv("SSH_AUTH_SOCK")
	if e.AgentSocketPath != nil {
		socket = *e.AgentSocketPath
	}
	if socket != "" {
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return nil, fmt.Errorf("ssh agent %s: %w", socket, err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
	}
	return cfg, nil
}

// retry calls f until it succeeds, limit failures have happened (-1: no limit), or ctx ends.
func retry[T any](ctx context.Context, what string, limit int, f func() (T, error)) (T, error) {
	var zero T
	delay := 250 * time.Millisecond
	for failures := 1; ; failures++ {
		v, err := f()
		if err == nil {
			return v, nil
		}
		if limit >= 0 && failures > limit {
			return zero, fmt.Errorf("after %d failed attempts: %w", failures-1, err)
		}
		shown := "inf"
		if limit >= 0 {
			shown = strconv.Itoa(limit)
		}
		p.GetLogger(ctx).InfoStatusf("%s %d/%s failed: retrying", what, failures, shown)
		select {
		case <-ctx.Done():
			return zero, ctx.Err()
		case <-time.After(delay):
		}
		if delay < 5*time.Second {
			delay *= 2
		}
	}
}

// Dial connects to the host, through the proxy when one is set, retrying failed dials.
func (c *Connection) Dial(ctx context.Context) (*ssh.Client, error) {
	cfg, err := c.clientConfig()
	if err != nil {
		return nil, err
	}
	target := c.address()
	if c.Proxy == nil {
		return retry(ctx, "Dial", c.dialLimit(), func() (*ssh.Client, error) {
			return ssh.Dial("tcp", target, cfg)
		})
	}
	proxyCfg, err := c.Proxy.clientConfig()
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	bastion, err := retry(ctx, "Dial proxy", c.Proxy.dialLimit(), func() (*ssh.Client, error) {
		return ssh.Dial("tcp", c.Proxy.address(), proxyCfg)
	})
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	return retry(ctx, "Dial from proxy", c.dialLimit(), func() (*ssh.Client, error) {
		conn, err := bastion.Dial("tcp", target)
		if err != nil {
			return nil, err
		}
		sshConn, chans, reqs, err := ssh.NewClientConn(conn, target, cfg)
		if err != nil {
			_ = conn.Close()
			return nil, err
		}
		return ssh.NewClient(sshConn, chans, reqs), nil
	})
}
