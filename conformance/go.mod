module github.com/dapr-sim/sim/conformance

go 1.25

require (
	github.com/alicebob/miniredis/v2 v2.40.0
	github.com/dapr-sim/sim v0.0.0
	github.com/google/go-cmp v0.7.0
)

require (
	github.com/antlr4-go/antlr/v4 v4.13.0 // indirect
	github.com/benbjohnson/clock v1.3.5 // indirect
	github.com/google/cel-go v0.20.1 // indirect
	github.com/stoewer/go-strcase v1.2.0 // indirect
	github.com/yuin/gopher-lua v1.1.1 // indirect
	golang.org/x/exp v0.0.0-20230515195305-f3d0a9c9a5cc // indirect
	golang.org/x/text v0.28.0 // indirect
	google.golang.org/genproto/googleapis/api v0.0.0-20230803162519-f966b187b2e5 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20230803162519-f966b187b2e5 // indirect
	google.golang.org/protobuf v1.36.8 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/dapr-sim/sim => ../
