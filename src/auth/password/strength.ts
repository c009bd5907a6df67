import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

/** zxcvbn's strength estimate (0–4), with the user's own words as a dictionary. Built on first use. */
let factory: ZxcvbnFactory | undefined;

export function strengthScore(password: string, userWords: string[]): number {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return factory.check(password, userWords).score;
}
