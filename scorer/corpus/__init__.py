"""Corpus runners: the batch core every engine calls, and the engines that distribute it."""
