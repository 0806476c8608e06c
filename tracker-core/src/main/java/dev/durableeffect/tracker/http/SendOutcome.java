package dev.durableeffect.tracker.http;

/** What one HTTP request led to. */
public enum SendOutcome {
  /** 2xx: the batch is delivered. */
  SUCCESS,
  /** A retryable failure (I/O error, timeout, 408, 429, 5xx of the retry list): tried again later. */
  RETRY,
  /** A status retrying cannot fix; the batch is dropped, or split on 413. */
  REJECTED
}
