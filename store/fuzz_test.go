package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/amt-mv/amt/api"
)

var fuzzKey = bytes.Repeat([]byte{0x42}, keySize)

// fuzzSeeds are valid records of every kind (sealed for key "k") plus damaged variants.
func fuzzSeeds() [][]byte {
	a, _ := newAEAD(fuzzKey)
	c := mkCase(1, "2026-12-01", 1)
	sum := summaryOf(&c)
	act := Action{ID: "01J", Seq: 1, CaseID: c.ID, Kind: api.ActionNote, Body: []byte(`{"text":"x"}`), State: StatePending}
	k := []byte("k")
	recs := [][]byte{
		seal(a, bCases, k, mustJSON(c)),
		seal(a, bIndex, k, encodeSummary(&sum)),
		seal(a, bOutbox, k, mustJSON(act)),
		seal(a, bAttachments, k, mustJSON(AttachmentMeta{CaseID: "c"})),
		encodeSummary(&sum), // plaintext for the decoders
		mustJSON(act),
		{},
		{recordVersion},
		bytes.Repeat([]byte{recordVersion}, recordOverhead),
	}
	trunc := recs[1][:len(recs[1])-3]
	flipped := bytes.Clone(recs[0])
	flipped[30] ^= 1
	return append(recs, trunc, flipped)
}

// FuzzDecodeRecord: decrypting and decoding arbitrary bytes as a stored record of any bucket,
// and decoding arbitrary plaintext with each record decoder, errors and never panics.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	a, err := newAEAD(fuzzKey)
	if err != nil {
		f.Fatal(err)
	}
	k := []byte("k")
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, b := range dataBuckets {
			v, err := decodeRecord(a, b, k, data)
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("bucket %s: error not ErrCorrupt: %v", b, err)
			}
			if err == nil && v == nil {
				t.Fatalf("bucket %s: nil value without error", b)
			}
		}
		if sum, err := decodeSummary(data); err == nil {
			// A decodable summary re-encodes to the same bytes.
			if !bytes.Equal(encodeSummary(&sum), data) && len(data) < 1<<16 {
				// Varints have non-canonical forms; decoding the re-encoding must still agree.
				again, err := decodeSummary(encodeSummary(&sum))
				if err != nil || fmt.Sprint(again) != fmt.Sprint(sum) {
					t.Fatalf("summary round trip differs")
				}
			}
		}
		_, _ = decodeCase(data)
		if act, err := decodeAction(data); err == nil {
			c := mkCase(1, "2026-12-01", 1)
			_ = overlay(c, []Action{act}) // any decodable action overlays without panic
		}
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/FuzzDecodeRecord (AMT_WRITE_FUZZ_SEEDS=1).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("AMT_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set AMT_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeRecord")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
