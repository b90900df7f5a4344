package integration

import (
	"errors"

	"github.com/kpanda/kpanda/internal/clusters"
)

// Code classifies an Error the way the REST API reports it (gRPC code numbers, DESIGN §2).
type Code int

// The codes used here.
const (
	CodeInvalidArgument    Code = 3
	CodeNotFound           Code = 5
	CodeAlreadyExists      Code = 6
	CodeFailedPrecondition Code = 9
)

// Error is a refused request: Message tells the user what is wrong and what to do; Field names
// the input at fault; Reason is a stable word for programs.
type Error struct {
	Code    Code
	Reason  string
	Field   string
	Message string
	Err     error
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

func invalid(field, message string) *Error {
	return &Error{Code: CodeInvalidArgument, Field: field, Reason: "Invalid", Message: message}
}

// VerifyFailed turns a failed check of the kubeconfig into an Error of field kubeconfig.
func VerifyFailed(err error) error {
	var verifyErr *clusters.VerifyError
	if !errors.As(err, &verifyErr) {
		return err
	}
	code := CodeFailedPrecondition // the file is fine; the cluster behind it is not usable
	if verifyErr.Reason == clusters.Malformed || verifyErr.Reason == clusters.NoCurrentContext {
		code = CodeInvalidArgument
	}
	return &Error{Code: code, Field: "kubeconfig", Reason: string(verifyErr.Reason),
		Message: "kubeconfig: " + verifyErr.Message, Err: err}
}
