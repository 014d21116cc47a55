// Package cron is a bindings.cron component's schedule: its `schedule`
// metadata parsed as the release's components-contrib parses it
// (bindings/cron/cron.go: a dapr/kit cron Parser with SecondOptional |
// Minute | Hour | Dom | Month | Dow | Descriptor), with Init's error text,
// and the next fire after a virtual instant.
//
// The parser and SpecSchedule.Next are ported from dapr/kit's fork of
// robfig/cron (kit cron/parser.go, cron/spec.go, cron/constantdelay.go;
// MIT, Copyright (C) 2012 Rob Figueroa, forked under Apache 2.0 by the Dapr
// Authors) rather than imported: kit brings a large module graph for three
// small files, and the one rule that changed between releases (@every's
// rounding, kit v0.16.0) must be chosen per profile, which one imported
// version cannot do.
//
// Virtual time 0 is the wall instant Epoch (2000-01-01T00:00:00Z), the
// instant sim's store clock starts at. Schedules run in UTC: kit uses the
// daprd host's time.Local unless the schedule starts with TZ= or CRON_TZ=,
// and sim takes that host zone to be UTC (a container's default); a prefix
// naming any other zone is rejected as not modelled, since its offsets
// would come from the machine's tz database.
//
// The package is pure: no I/O, no clock, no randomness; it imports only
// the standard library.
package cron
