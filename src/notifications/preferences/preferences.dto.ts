import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsOptional,
  registerDecorator,
  ValidateNested,
  type ValidationArguments,
} from 'class-validator';
import { ChannelSwitchesDoc } from '../../docs/api-models';
import { isPattern, MAX_RULES_PER_USER, PATTERN_RULE } from './preference-patterns';
import type { ChannelSwitches } from './preferences.types';

export class ChannelSwitchesDto {
  @IsOptional()
  @IsBoolean()
  inApp?: boolean;

  @IsOptional()
  @IsBoolean()
  push?: boolean;
}

export class PreferencesPatchDto {
  @ApiPropertyOptional({
    type: ChannelSwitchesDoc,
    description: 'Every type, unless a pattern says otherwise',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChannelSwitchesDto)
  channels?: ChannelSwitchesDto;

  // Kept as parsed: its keys are type patterns, not fields.
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      nullable: true,
      allOf: [{ $ref: '#/components/schemas/ChannelSwitches' }],
    },
    description: `Per type pattern (${PATTERN_RULE}): merged into the pattern's switches; \`null\` removes the pattern. At most ${MAX_RULES_PER_USER} patterns per user.`,
    example: { 'marketing.*': { inApp: false }, 'task.due': { push: false }, 'old.*': null },
  })
  @Transform(({ obj }: { obj: Record<string, unknown> }) => obj['types'])
  @IsOptional()
  @TypeRules()
  types?: Record<string, ChannelSwitches | null>;
}

/** The first thing wrong with a `types` value, or null. */
export function typeRulesProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'types must be an object of type patterns';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_RULES_PER_USER) {
    return `types must name at most ${MAX_RULES_PER_USER} patterns`;
  }
  for (const [pattern, switches] of entries) {
    if (!isPattern(pattern))
      return `types.${pattern.slice(0, 120)}: a pattern must be ${PATTERN_RULE}`;
    if (switches === null) continue;
    const shape = 'must be { inApp?: boolean, push?: boolean } with at least one, or null';
    if (typeof switches !== 'object' || Array.isArray(switches)) return `types.${pattern} ${shape}`;
    const keys = Object.keys(switches as object);
    if (keys.length === 0) return `types.${pattern} ${shape}`;
    for (const key of keys) {
      const v = (switches as Record<string, unknown>)[key];
      if ((key !== 'inApp' && key !== 'push') || typeof v !== 'boolean') {
        return `types.${pattern}.${key} ${key === 'inApp' || key === 'push' ? 'must be a boolean' : 'is not a channel (inApp, push)'}`;
      }
    }
  }
  return null;
}

function TypeRules() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'typeRules',
      target: target.constructor,
      propertyName,
      options: { message: (args: ValidationArguments) => typeRulesProblem(args.value) ?? '' },
      validator: { validate: (value: unknown) => typeRulesProblem(value) === null },
    });
}
