package search

func cvExperiments(try func(string, func(*Params))) {
	try("default", func(p *Params) {})
}
