package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/pricekit/pricekit"
	"github.com/pricekit/pricekit/internal/jsonx"
)

// refusal is the answer to a refused request: the service's message, and
// the library's code and field path of the first problem, with every
// problem listed when there are several.
type refusal struct {
	Message string    `json:"message"`
	Code    string    `json:"code,omitempty"`
	Field   string    `json:"field,omitempty"`
	Errors  []problem `json:"errors,omitempty"`
}

type problem struct {
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// fail answers err: a refusal of the library with the status the service
// gave it, or 500 for anything else (the message kept from the client).
func (c *call) fail(err error) {
	all := pricekit.All(err)
	if len(all) == 0 {
		if c.ctx().Err() != nil {
			return // the client went away
		}
		writeJSON(c.w, http.StatusInternalServerError, message("internal error"))
		return
	}
	first := all[0]
	out := refusal{Message: first.Message, Code: string(first.Code), Field: first.Field}
	if len(all) > 1 {
		msgs := make([]string, len(all))
		for i, e := range all {
			out.Errors = append(out.Errors, problem{Code: string(e.Code), Field: e.Field, Message: e.Message})
			msgs[i] = e.Message
		}
		out.Message = strings.Join(msgs, "; ")
	}
	writeJSON(c.w, status(first.Code), out)
}

// asInput makes an error of reading a body a refusal: the library's
// decoders refuse with codes, but malformed JSON comes from encoding/json.
func asInput(err error) error {
	if err == nil || len(pricekit.All(err)) > 0 {
		return err
	}
	return pricekit.Errorf(pricekit.ErrInvalidInput, "httpapi", "", "malformed JSON: "+err.Error())
}

// status is the service's status for a refusal code.
func status(code pricekit.Code) int {
	switch code {
	case pricekit.ErrNotFound:
		return http.StatusNotFound
	case pricekit.ErrConflict:
		return http.StatusConflict
	case pricekit.ErrInvalidTiers:
		return http.StatusBadRequest
	case pricekit.ErrMissingInput:
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// body reads the request's body; false when it answered already: 400 for
// an empty body (also {}, [] or null), 413 beyond MaxBody.
func (c *call) body() ([]byte, bool) {
	data, ok := c.optionalBody()
	if !ok {
		return nil, false
	}
	switch string(bytes.Join(bytes.Fields(data), nil)) {
	case "", "{}", "[]", "null":
		writeJSON(c.w, http.StatusBadRequest, message("No input data provided"))
		return nil, false
	}
	return data, true
}

// optionalBody reads the request's body, which may be empty; false when
// it answered already: 413 beyond MaxBody, 400 when it cannot be read.
func (c *call) optionalBody() ([]byte, bool) {
	data, err := io.ReadAll(c.r.Body)
	switch {
	case tooLarge(err):
		writeJSON(c.w, http.StatusRequestEntityTooLarge, message("the request body is too large"))
		return nil, false
	case err != nil:
		writeJSON(c.w, http.StatusBadRequest, message("the request body could not be read"))
		return nil, false
	}
	return data, true
}

// object reads the body as a JSON object, field by field; false when it
// answered already.
func (c *call) object() (*jsonx.Object, bool) {
	body, ok := c.body()
	if !ok {
		return nil, false
	}
	o, err := jsonx.Parse("httpapi", body)
	if err != nil {
		c.fail(err)
		return nil, false
	}
	return o, true
}
