package bench

import (
	"context"
	"fmt"
	"reflect"

	"github.com/prodready/prodready"
)

// A Loader is one row of the benchmark: a way of loading the configuration.
type Loader struct {
	Name string
	// Run loads the configuration into the loader's own struct, which it
	// keeps for Result. The options a loader needs are built once, outside
	// Run.
	Run func() error
	// Result returns what the last Run loaded, as Values.
	Result func() Values
}

// Loaders returns every loader, the hand-written one first.
func Loaders() []Loader {
	ctx := context.Background()
	var (
		hw            Values
		pr, prNS, prP ProdreadyConfig
		ca            CaarlosConfig
		sv            SethvargoConfig
		kh            KelseyConfig
		ce            CleanenvConfig
		ko            KoanfConfig
		vi            ViperConfig
	)
	opts, optsNoScan, optsProd := ProdreadyOptions(), ProdreadyOptionsNoScan(), ProdreadyOptionsProduction()
	return []Loader{
		{"handwritten", func() (err error) { hw, err = LoadHandwritten(); return err }, func() Values { return hw }},
		{"prodready", func() (err error) { pr, err = LoadProdready(ctx, opts); return err }, func() Values { return ToValues(pr) }},
		{"prodready-noscan", func() (err error) { prNS, err = LoadProdready(ctx, optsNoScan); return err }, func() Values { return ToValues(prNS) }},
		{"prodready-production", func() (err error) { prP, err = LoadProdready(ctx, optsProd); return err }, func() Values { return ToValues(prP) }},
		{"caarlos0-env", func() (err error) { ca, err = LoadCaarlos(); return err }, func() Values { return ToValues(ca) }},
		{"sethvargo-go-envconfig", func() (err error) { sv, err = LoadSethvargo(ctx); return err }, func() Values { return ToValues(sv) }},
		{"kelseyhightower-envconfig", func() (err error) { kh, err = LoadKelsey(); return err }, func() Values { return ToValues(kh) }},
		{"cleanenv", func() (err error) { ce, err = LoadCleanenv(); return err }, func() Values { return ToValues(ce) }},
		{"koanf", func() (err error) { ko, err = LoadKoanf(); return err }, func() Values { return ToValues(ko) }},
		{"viper", func() (err error) { vi, err = LoadViper(); return err }, func() Values { return ToValues(vi) }},
	}
}

var secretType = reflect.TypeFor[prodready.Secret]()

// ToValues copies a loader's struct into Values by field name, revealing a
// prodready.Secret. It panics if src lacks a field of Values or has one of
// another type: the loaders' structs must mirror Values.
func ToValues(src any) Values {
	var v Values
	copyFields(reflect.ValueOf(&v).Elem(), reflect.ValueOf(src))
	return v
}

func copyFields(dst, src reflect.Value) {
	for i := range dst.NumField() {
		name := dst.Type().Field(i).Name
		s := src.FieldByName(name)
		if !s.IsValid() {
			panic(fmt.Sprintf("%s has no field %s", src.Type(), name))
		}
		d := dst.Field(i)
		switch {
		case s.Type() == secretType:
			d.SetString(s.Interface().(prodready.Secret).Reveal())
		case d.Kind() == reflect.Struct:
			copyFields(d, s)
		default:
			d.Set(s)
		}
	}
}
