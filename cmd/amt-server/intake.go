package main

// FIT-Connect intake: the intake file (setting "intake"), `amt-server intake status`, the demo's
// emulator (--demo) and `amt-server demo submit`.

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/amt-mv/amt/catalogue"
	"github.com/amt-mv/amt/fitconnect"
	"github.com/amt-mv/amt/fitconnect/sender"
	"github.com/amt-mv/amt/server"
	"github.com/amt-mv/amt/server/demo"
	"github.com/amt-mv/amt/server/fcdemo"
)

// intakeFile is the intake configuration file (YAML). Secrets come from files or environment
// variables, never from this file, and are never logged.
type intakeFile struct {
	Catalogue    string                                           `yaml:"catalogue"`     // service catalogue file; empty = built-in
	Texts        string                                           `yaml:"texts"`         // texts file of the catalogue; empty = built-in
	PollInterval string                                           `yaml:"poll_interval"` // e.g. 1m
	Problems     map[fitconnect.ProblemCode]fitconnect.ProblemDef `yaml:"problems"`      // corrections of the problem catalogue
	Destinations []intakeDestFile                                 `yaml:"destinations"`
	// Reply turns on Bescheide as FIT-Connect replies; its endpoints are unverified (fact sheet
	// §9.2) and default to the ones inferred there.
	Reply *intakeReplyFile `yaml:"reply"`
}

type intakeReplyFile struct {
	Enabled   bool                      `yaml:"enabled"`
	Endpoints fitconnect.ReplyEndpoints `yaml:"endpoints"`
}

type intakeDestFile struct {
	Amt                string   `yaml:"amt"`
	DestinationID      string   `yaml:"destination_id"`
	TokenURL           string   `yaml:"token_url"`
	SubmissionAPI      string   `yaml:"submission_api"`
	ClientID           string   `yaml:"client_id"`
	ClientSecretFile   string   `yaml:"client_secret_file"`
	ClientSecretEnv    string   `yaml:"client_secret_env"`
	DecryptionKeys     []string `yaml:"decryption_keys"` // private JWK files (RSA-OAEP-256)
	SigningKey         string   `yaml:"signing_key"`     // private JWK file (PS512) with its kid
	SigningKid         string   `yaml:"signing_kid"`     // overrides the kid in the file
	CallbackSecretFile string   `yaml:"callback_secret_file"`
	CallbackSecretEnv  string   `yaml:"callback_secret_env"`
	MetadataVersions   []string `yaml:"metadata_versions"`
	ReplyChannels      []string `yaml:"reply_channels"`
}

// loadIntake reads the intake file; relative paths in it are taken from its directory.
func loadIntake(path string, lookupEnv func(string) (string, bool)) (*server.IntakeConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	var f intakeFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("intake %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	cfg := &server.IntakeConfig{}
	cfg.Catalogue = catalogue.Default()
	if f.Catalogue != "" {
		if cfg.Catalogue, err = catalogue.Load(rel(f.Catalogue)); err != nil {
			return nil, err
		}
	}
	if f.Texts != "" {
		t, err := catalogue.LoadTexts(rel(f.Texts))
		if err != nil {
			return nil, err
		}
		if err := cfg.Catalogue.ApplyTexts(t); err != nil {
			return nil, err
		}
	}
	if f.PollInterval != "" {
		d, err := time.ParseDuration(f.PollInterval)
		if err != nil || d < time.Second {
			return nil, fmt.Errorf("intake %s: poll_interval %q is no duration of at least 1s", path, f.PollInterval)
		}
		cfg.PollInterval = d
	}
	if f.Reply != nil && f.Reply.Enabled {
		if err := f.Reply.Endpoints.Check(); err != nil {
			return nil, fmt.Errorf("intake %s: reply: %w", path, err)
		}
		ep := f.Reply.Endpoints.WithDefaults()
		cfg.Reply = &ep
	}
	if cfg.Problems, err = fitconnect.Merge(f.Problems); err != nil {
		return nil, fmt.Errorf("intake %s: problems: %w", path, err)
	}
	secret := func(what, file, env string) (string, error) {
		switch {
		case file != "" && env != "":
			return "", fmt.Errorf("%s: give %s_file or %s_env, not both", what, what, what)
		case file != "":
			b, err := os.ReadFile(rel(file))
			if err != nil {
				return "", fmt.Errorf("%s: %w", what, err)
			}
			return strings.TrimSpace(string(b)), nil
		case env != "":
			v, ok := lookupEnv(env)
			if !ok || v == "" {
				return "", fmt.Errorf("%s: environment variable %s is not set", what, env)
			}
			return v, nil
		}
		return "", nil
	}
	for i, d := range f.Destinations {
		where := fmt.Sprintf("intake %s: destinations[%d] (%s)", path, i, d.Amt)
		id := server.IntakeDestination{Amt: d.Amt, DestinationID: d.DestinationID, TokenURL: d.TokenURL,
			SubmissionAPI: d.SubmissionAPI, ClientID: d.ClientID, SigningKid: d.SigningKid,
			MetadataVersions: d.MetadataVersions, ReplyChannels: d.ReplyChannels}
		if id.ClientSecret, err = secret("client_secret", d.ClientSecretFile, d.ClientSecretEnv); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if id.CallbackSecret, err = secret("callback_secret", d.CallbackSecretFile, d.CallbackSecretEnv); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if id.CallbackSecret != "" && len(id.CallbackSecret) < 32 {
			return nil, fmt.Errorf("%s: callback secret is shorter than 32 characters", where)
		}
		for _, kf := range d.DecryptionKeys {
			k, _, err := readPrivateJWK(rel(kf))
			if err != nil {
				return nil, fmt.Errorf("%s: decryption key: %w", where, err)
			}
			id.DecryptionKeys = append(id.DecryptionKeys, k)
		}
		if d.SigningKey != "" {
			k, kid, err := readPrivateJWK(rel(d.SigningKey))
			if err != nil {
				return nil, fmt.Errorf("%s: signing key: %w", where, err)
			}
			id.SigningKey = k
			if id.SigningKid == "" {
				id.SigningKid = kid
			}
		}
		cfg.Destinations = append(cfg.Destinations, id)
	}
	return cfg, nil
}

func readPrivateJWK(path string) (*rsa.PrivateKey, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("%s is readable by others (chmod 600)", path)
	}
	k, kid, err := fitconnect.ParsePrivateJWK(b)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return k, kid, nil
}

// intakeStatus asks FIT-Connect, per destination of the intake file, what is waiting for pickup.
func intakeStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("amt-server intake status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	resolve := configFlags(fs, "intake")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := resolve()
	if err != nil {
		return err
	}
	if st.Intake == "" {
		return errors.New("no intake file: --intake FILE (or AMT_SERVER_INTAKE, or intake: in the config file)")
	}
	cfg, err := loadIntake(st.Intake, os.LookupEnv)
	if err != nil {
		return err
	}
	type row struct {
		Amt           string    `json:"amt"`
		DestinationID string    `json:"destinationId"`
		Pending       int       `json:"pending"`
		OldestPending time.Time `json:"oldestPending,omitzero"`
		Error         string    `json:"error,omitempty"`
	}
	var rows []row
	for _, d := range cfg.Destinations {
		r := row{Amt: d.Amt, DestinationID: d.DestinationID}
		c := fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: d.TokenURL, SubmissionAPI: d.SubmissionAPI, ClientID: d.ClientID, ClientSecret: d.ClientSecret})
		refs, err := c.ListSubmissions(ctx, d.DestinationID)
		if err != nil {
			r.Error = err.Error()
			rows = append(rows, r)
			continue
		}
		r.Pending = len(refs)
		for _, ref := range refs {
			if t, ok := submittedAt(ctx, c, ref); ok && (r.OldestPending.IsZero() || t.Before(r.OldestPending)) {
				r.OldestPending = t
			}
		}
		rows = append(rows, r)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rows, "", "  ")
		_, err := fmt.Fprintln(stdout, string(b))
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AMT\tDESTINATION\tPENDING\tOLDEST\tNOTE")
	for _, r := range rows {
		oldest, note := "-", r.Error
		if !r.OldestPending.IsZero() {
			age := time.Since(r.OldestPending)
			oldest = r.OldestPending.Local().Format("2006-01-02 15:04") + " (" + age.Round(time.Minute).String() + ")"
			switch {
			case age > 14*24*time.Hour:
				note = "FIT-Connect rejects after 14 days"
			case age > 3*24*time.Hour:
				note = "older than 3 days: FIT-Connect has alerted the technical contact"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.Amt, r.DestinationID, r.Pending, oldest, note)
	}
	return tw.Flush()
}

// submittedAt reads when a submission was submitted from the service's submit-submission event.
func submittedAt(ctx context.Context, c *fitconnect.Client, ref fitconnect.SubmissionRef) (time.Time, bool) {
	log, err := c.EventLog(ctx, ref.CaseID)
	if err != nil {
		return time.Time{}, false
	}
	for _, tok := range log {
		set, err := fitconnect.ParseSET(tok, c.KeyFunc(ctx))
		if err != nil || set.Sub != "submission:"+ref.SubmissionID {
			continue
		}
		if ev, _ := set.Event(); ev == fitconnect.EventSubmitSubmission {
			return time.Unix(set.Iat, 0), true
		}
	}
	return time.Time{}, false
}

// demoFitConnectFile is the name of the demo's emulator description in the data directory.
const demoFitConnectFile = "demo-fitconnect.json"

// startDemoFitConnect runs the demo's FIT-Connect emulator with a destination per demo Amt and
// writes DATA/demo-fitconnect.json (0600).
func startDemoFitConnect(data string, amts []string, logger *slog.Logger) (*fcdemo.World, error) {
	w, err := fcdemo.Start(amts, catalogue.Default(), logger)
	if err != nil {
		return nil, err
	}
	info, err := w.Info()
	if err != nil {
		w.Close()
		return nil, err
	}
	raw, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		w.Close()
		return nil, err
	}
	if err := writeFile0600(filepath.Join(data, demoFitConnectFile), append(raw, '\n')); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// demoSubmit sends a new application to the running demo's emulator (DATA/demo-fitconnect.json).
func demoSubmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, parse := dataSubcommand("amt-server demo submit", stderr)
	amt := fs.String("amt", "", "id of the receiving Amt (default: any)")
	svc := fs.String("service", "", "LeiKa key of the service (default: any)")
	st, err := parse(args)
	if err != nil {
		return err
	}
	if st.Data == "" {
		return errors.New("usage: amt-server demo submit --data DIR [--amt AMT] [--service KEY] (while amt-server --demo runs)")
	}
	raw, err := os.ReadFile(filepath.Join(st.Data, demoFitConnectFile))
	if err != nil {
		return fmt.Errorf("%w (is amt-server --demo running with this data directory?)", err)
	}
	var info fcdemo.Info
	if err := json.Unmarshal(raw, &info); err != nil {
		return fmt.Errorf("%s: %w", demoFitConnectFile, err)
	}
	if len(info.Destinations) == 0 {
		return fmt.Errorf("%s lists no destinations", demoFitConnectFile)
	}
	dest := info.Destinations[time.Now().Nanosecond()%len(info.Destinations)]
	if *amt != "" {
		found := false
		for _, d := range info.Destinations {
			if d.Amt == *amt {
				dest, found = d, true
			}
		}
		if !found {
			return fmt.Errorf("no demo destination for Amt %q", *amt)
		}
	}
	seed := uint64(time.Now().UnixNano())
	a, err := demo.NewApplication(seed, dest.Amt, *svc, time.Now())
	if err != nil {
		return err
	}
	app, err := fcdemo.SenderApplication(catalogue.Default(), a, seed)
	if err != nil {
		return err
	}
	c := fitconnect.NewClient(fitconnect.ClientConfig{TokenURL: info.TokenURL, SubmissionAPI: info.SubmissionAPI,
		ClientID: info.Sender.ClientID, ClientSecret: info.Sender.ClientSecret})
	sent, err := sender.Send(ctx, c, dest.DestinationID, app, sender.Knobs{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "submitted %s (%s) to %s: submission %s, FIT-Connect case %s\n", a.Service.Name, a.Service.Key, dest.Amt, sent.SubmissionID, sent.CaseID)
	return nil
}

// failpointEnv names the test-only failpoint of intake: when set (after-fetch, after-store,
// before-accept, after-accept), the process kills itself there with SIGKILL, to prove that a
// crash at that point loses nothing and duplicates nothing.
const failpointEnv = "AMT_SERVER_TEST_FAILPOINT"

func failpointFromEnv(logger *slog.Logger) func(string) {
	name := os.Getenv(failpointEnv)
	if name == "" {
		return nil
	}
	logger.Warn("test failpoint armed: the server kills itself there", "failpoint", name)
	return func(at string) {
		if at == name {
			p, err := os.FindProcess(os.Getpid())
			if err == nil {
				_ = p.Kill() // SIGKILL on Unix: no deferred code runs
			}
			select {}
		}
	}
}
