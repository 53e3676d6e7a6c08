package search

import "fmt"

func cvExperiments(try func(string, func(*Params))) {
	try("default", func(p *Params) {})
	for _, v := range []float64{0.25, 0.5, 0.75, 1} {
		try(fmt.Sprint("local=", v), func(p *Params) { p.LocalIDF = v })
	}
}
