// Package rest holds the conventions every REST handler of kpanda follows: JSON in and out,
// and errors as {"code", "message"} with the right HTTP status (DESIGN §2).
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/kpanda/kpanda/internal/auth"
	"github.com/kpanda/kpanda/internal/integration"
)

// Error codes of the REST API: gRPC's numbering, which clients of the original product know
// (DESIGN §2), each with its HTTP status.
const (
	CodeInvalidArgument    = 3
	CodeNotFound           = 5
	CodeAlreadyExists      = 6
	CodePermissionDenied   = 7
	CodeFailedPrecondition = 9
	CodeAborted            = 10
	CodeInternal           = 13
	CodeUnavailable        = 14
	CodeUnauthenticated    = 16
)

var httpStatus = map[int]int{
	CodeInvalidArgument:    http.StatusBadRequest,
	CodeNotFound:           http.StatusNotFound,
	CodeAlreadyExists:      http.StatusConflict,
	CodePermissionDenied:   http.StatusForbidden,
	CodeFailedPrecondition: http.StatusUnprocessableEntity,
	CodeAborted:            http.StatusConflict,
	CodeInternal:           http.StatusInternalServerError,
	CodeUnavailable:        http.StatusServiceUnavailable,
	CodeUnauthenticated:    http.StatusUnauthorized,
}

// ErrorBody is the JSON of every error response. Message says what is wrong and what to do;
// Reason and Field, when present, are for programs and forms.
type ErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Reason  string `json:"reason,omitempty"`
	Field   string `json:"field,omitempty"`
}

// Error is an error with its API code; handlers return it for refusals of their own.
type Error struct {
	ErrorBody
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an Error; field may be empty.
func Errorf(code int, field, message string) *Error {
	return &Error{ErrorBody{Code: code, Field: field, Message: message}}
}

// WriteError answers with the API form of err.
func WriteError(w http.ResponseWriter, err error) {
	body := errorBody(err)
	WriteJSON(w, httpStatus[body.Code], body)
}

func errorBody(err error) ErrorBody {
	var (
		apiErr         *Error
		integrationErr *integration.Error
		statusErr      apierrors.APIStatus
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.ErrorBody
	case errors.As(err, &integrationErr):
		return ErrorBody{Code: int(integrationErr.Code), Message: integrationErr.Message, Reason: integrationErr.Reason, Field: integrationErr.Field}
	case errors.Is(err, auth.ErrInvalidToken), errors.Is(err, auth.ErrTokenExpired):
		return ErrorBody{Code: CodeUnauthenticated, Reason: "InvalidToken", Message: err.Error() + "; log in again (kpanda login)"}
	case errors.Is(err, auth.ErrUserDisabled), errors.Is(err, auth.ErrUserGone):
		return ErrorBody{Code: CodeUnauthenticated, Reason: "UserInactive", Message: err.Error()}
	case errors.As(err, &statusErr):
		return kubernetesError(statusErr, err)
	default:
		return ErrorBody{Code: CodeInternal, Message: err.Error()}
	}
}

// kubernetesError passes on an error of the global cluster's apiserver with the matching code.
func kubernetesError(status apierrors.APIStatus, err error) ErrorBody {
	code := CodeInternal
	switch status.Status().Code {
	case http.StatusNotFound:
		code = CodeNotFound
	case http.StatusConflict:
		code = CodeAborted
	case http.StatusForbidden:
		code = CodePermissionDenied
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		code = CodeInvalidArgument
	case http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
		code = CodeUnavailable
	}
	return ErrorBody{Code: code, Message: err.Error(), Reason: string(status.Status().Reason)}
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// maxBody bounds request bodies: a kubeconfig or a settings document is a few KiB.
const maxBody = 1 << 20

// ReadJSON decodes the request body into v, strictly: an unknown field is an error, so a
// misspelt field is never silently ignored.
func ReadJSON(r *http.Request, v any) error {
	decoder := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(v); err != nil {
		return Errorf(CodeInvalidArgument, "", "request body: "+err.Error()+"; send a JSON object as the API documentation (/openapi/v3) describes")
	}
	return nil
}

type identityKey struct{}

// WithIdentity returns ctx carrying the authenticated caller.
func WithIdentity(ctx context.Context, id *auth.Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom is the authenticated caller of a request, nil for public endpoints.
func IdentityFrom(ctx context.Context) *auth.Identity {
	id, _ := ctx.Value(identityKey{}).(*auth.Identity)
	return id
}
