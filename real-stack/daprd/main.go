// Command daprd is Dapr's sidecar with a minimal component set.
//
// Upstream cmd/daprd pulls in ~140 components behind the "stablecomponents"
// build tag (AWS/Azure/GCP SDKs, databases...), which makes the build slow and
// the binary huge. We register only what taskfn uses and then call the very
// same entry point as upstream (app.Run).
//
// app imports github.com/dapr/dapr/cmd/daprd/components, whose untagged file
// zz_notag.go panics on purpose; provision.ts builds with `-overlay` swapping
// that single file for an empty one, so no upstream code is forked here.
package main

import (
	"github.com/dapr/components-contrib/bindings/cron"
	bindingshttp "github.com/dapr/components-contrib/bindings/http"
	nrmdns "github.com/dapr/components-contrib/nameresolution/mdns"
	pubsubinmemory "github.com/dapr/components-contrib/pubsub/in-memory"
	"github.com/dapr/components-contrib/pubsub/kafka"
	"github.com/dapr/components-contrib/secretstores/local/env"
	"github.com/dapr/components-contrib/secretstores/local/file"
	stateinmemory "github.com/dapr/components-contrib/state/in-memory"

	"github.com/dapr/dapr/cmd/daprd/app"
	bindingsLoader "github.com/dapr/dapr/pkg/components/bindings"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
	secretstoresLoader "github.com/dapr/dapr/pkg/components/secretstores"
	stateLoader "github.com/dapr/dapr/pkg/components/state"
)

// Same registrations (and names) as upstream cmd/daprd/components/*.go.
func init() {
	pubsubLoader.DefaultRegistry.RegisterComponent(kafka.NewKafka, "kafka")
	pubsubLoader.DefaultRegistry.RegisterComponent(pubsubinmemory.New, "in-memory")
	stateLoader.DefaultRegistry.RegisterComponent(stateinmemory.NewInMemoryStateStore, "in-memory")
	bindingsLoader.DefaultRegistry.RegisterInputBinding(cron.NewCron, "cron")
	bindingsLoader.DefaultRegistry.RegisterOutputBinding(bindingshttp.NewHTTP, "http")
	secretstoresLoader.DefaultRegistry.RegisterComponent(env.NewEnvSecretStore, "local.env")
	secretstoresLoader.DefaultRegistry.RegisterComponent(file.NewLocalSecretStore, "local.file")
	// Standalone mode defaults to mDNS name resolution; without it daprd logs
	// an init error and service invocation cannot resolve app ids.
	nrLoader.DefaultRegistry.RegisterComponent(nrmdns.NewResolver, "mdns")
}

func main() {
	app.Run()
}
