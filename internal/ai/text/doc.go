// Package text holds the language plumbing the offline engine and search
// share: tokenization, stopwords, Porter stemming, sentence splitting and the
// removal of speech disfluencies from transcript text.
package text
