// Package onnxpb holds the Go types of ONNX's protocol buffers, generated
// from onnx.proto as ONNX 1.12 ships it (IR version 8, opset 17; copied
// from Debian's python3-onnx, /usr/lib/python3/dist-packages/onnx/onnx.proto).
//
// Regenerate with `go generate ./export/onnx/onnxpb` (needs protoc; the
// protoc-gen-go plugin is built from the google.golang.org/protobuf version
// in go.mod, so the generated code always matches the runtime).
package onnxpb

//go:generate go build -o protoc-gen-go.tmp google.golang.org/protobuf/cmd/protoc-gen-go
//go:generate protoc --plugin=protoc-gen-go=protoc-gen-go.tmp --go_out=. --go_opt=paths=source_relative --go_opt=Monnx.proto=github.com/mlptui/mlptui/export/onnx/onnxpb onnx.proto
//go:generate rm protoc-gen-go.tmp
