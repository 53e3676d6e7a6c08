package rest

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
)

// FiniteNumbers is a huma transformer that refuses to send a body holding
// a NaN or an infinite number, which JSON cannot encode. huma writes the
// status before it marshals the body, so a failed encoding would reach the
// client as a 200 with a text body. Checking here, before the status is
// written, turns it into a panic that AccessLog logs and answers with a 500
// in the surface's error body. Domain code keeps its numbers finite; this
// is the last guard, and costs nothing for bodies without floats.
func FiniteNumbers(_ huma.Context, _ string, v any) (any, error) {
	if path := nonFinite(reflect.ValueOf(v), "body", 0); path != "" {
		panic(fmt.Errorf("response field %s is not a finite number", path))
	}
	return v, nil
}

// maxDepth stops the walk of a cyclic value; JSON cannot encode one either.
const maxDepth = 64

// nonFinite returns the path of the first NaN or infinite float in v that
// JSON would encode, or "".
func nonFinite(v reflect.Value, path string, depth int) string {
	if !v.IsValid() || depth > maxDepth || !mayHoldFloat(v.Type()) {
		return ""
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return path
		}
	case reflect.Pointer, reflect.Interface:
		return nonFinite(v.Elem(), path, depth+1)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := nonFinite(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1); p != "" {
				return p
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if p := nonFinite(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()), depth+1); p != "" {
				return p
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, encoded := jsonName(f)
			if !encoded {
				continue
			}
			if p := nonFinite(v.Field(i), path+"."+name, depth+1); p != "" {
				return p
			}
		}
	}
	return ""
}

// jsonName is the name encoding/json gives a struct field, and whether it
// encodes the field at all.
func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() && !f.Anonymous {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, true
	}
	return f.Name, true
}

// floatTypes caches mayHoldFloat per type.
var floatTypes sync.Map // reflect.Type -> bool

// mayHoldFloat reports whether a value of type t can contain a float that
// JSON would encode. Interfaces may hold anything.
func mayHoldFloat(t reflect.Type) bool {
	if v, ok := floatTypes.Load(t); ok {
		return v.(bool)
	}
	b := holdsFloat(t, map[reflect.Type]bool{})
	floatTypes.Store(t, b)
	return b
}

func holdsFloat(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a recursive type holds floats only through its other fields
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Float32, reflect.Float64, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsFloat(t.Elem(), seen)
	case reflect.Map:
		return holdsFloat(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if _, encoded := jsonName(t.Field(i)); encoded && holdsFloat(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
