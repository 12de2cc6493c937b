import { readFileSync } from 'node:fs';
import { TreeEnsemble } from './ensemble.js';
import { ModelError } from './errors.js';
import { parseXGBoostModel } from './xgboost-json.js';

/** Parses official XGBoost JSON text; a truncated or non-JSON file is MODEL_MALFORMED naming the file. */
export function ensembleFromJson(text: string, source: string): TreeEnsemble {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelError('MODEL_MALFORMED', `${source}: not valid JSON (truncated or not an XGBoost JSON model): ${(err as Error).message}`, source);
  }
  return new TreeEnsemble(parseXGBoostModel(json, source));
}

export function loadEnsemble(path: string): TreeEnsemble {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelError('MODEL_NOT_FOUND', `${path}: ${(err as Error).message}`, path);
  }
  return ensembleFromJson(text, path);
}
