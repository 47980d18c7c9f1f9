package store

import (
	"crypto/cipher"
	"encoding/json"
	"fmt"

	"github.com/amt-mv/amt/api"
)

// decodeCase parses a cases record.
func decodeCase(p []byte) (api.Case, error) {
	var c api.Case
	if err := json.Unmarshal(p, &c); err != nil {
		return api.Case{}, fmt.Errorf("%w: bucket cases: %v", ErrCorrupt, err)
	}
	return c, nil
}

// decodeAction parses an outbox record.
func decodeAction(p []byte) (Action, error) {
	var a Action
	if err := json.Unmarshal(p, &a); err != nil {
		return Action{}, fmt.Errorf("%w: bucket outbox: %v", ErrCorrupt, err)
	}
	return a, nil
}

// decodeRecord decrypts a stored value of (bucket, key) and parses it by bucket. Any damage yields
// an error wrapping ErrCorrupt; it never panics (FuzzDecodeRecord).
func decodeRecord(aead cipher.AEAD, bucket, key, rec []byte) (any, error) {
	p, err := open(aead, bucket, key, rec)
	if err != nil {
		return nil, err
	}
	switch string(bucket) {
	case string(bCases):
		return decodeCase(p)
	case string(bIndex):
		return decodeSummary(p)
	case string(bOutbox):
		return decodeAction(p)
	case string(bAttachments):
		var m AttachmentMeta
		if err := json.Unmarshal(p, &m); err != nil {
			return nil, fmt.Errorf("%w: bucket attachments: %v", ErrCorrupt, err)
		}
		return m, nil
	}
	return p, nil
}
