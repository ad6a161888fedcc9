/**
 * Type patterns of preferences (API.md "Preferences"): an exact type, or a prefix ending in
 * `.*` that matches every type starting with the prefix and a dot. The most specific match
 * wins: the exact type, then the longest prefix. A type's candidate patterns are therefore
 * few and known in advance (`a.b.c` → `a.b.c`, `a.b.*`, `a.*`), so matching is an equality
 * lookup on (user_id, pattern), never a scan of a user's rules.
 */
import { TYPE_MAX } from '../dto/limits';

export const PATTERN_MAX = TYPE_MAX + 2;
/** Rules one user may keep: a settings page, not a data store. */
export const MAX_RULES_PER_USER = 200;
export const PATTERN_RULE = `an exact type (1-${TYPE_MAX} characters) or a prefix ending in ".*"`;

export function isPattern(pattern: string): boolean {
  if (pattern.length < 1 || pattern.length > PATTERN_MAX) return false;
  if (pattern.endsWith('.*')) return pattern.length > 2 && pattern.length - 2 <= TYPE_MAX;
  return pattern.length <= TYPE_MAX && !pattern.includes('*');
}

/** The patterns that match `type`, most specific first. */
export function candidatePatterns(type: string): string[] {
  const patterns = [type];
  for (let dot = type.lastIndexOf('.'); dot > 0; dot = type.lastIndexOf('.', dot - 1)) {
    patterns.push(`${type.slice(0, dot)}.*`);
  }
  return patterns;
}
