import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { NotificationTypesDoc, PreferencesDoc } from '../../docs/api-models';
import { UserIdPipe } from '../dto/params';
import { PreferencesPatchDto } from './preferences.dto';
import { PreferencesService } from './preferences.service';
import type { PreferencesDocument } from './preferences.types';

const TYPES_LISTED = 200;
const MERGE =
  'Merged: channels and each type pattern are changed only where given; a pattern set to ' +
  "`null` is removed. The whole document is pushed to the user's sockets as `preferences`.";

/** API.md "Preferences": the user's own, and any user's for a service's settings page. */
@ApiTags('preferences')
@ApiBearerAuth('bearer')
@Controller('v1')
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get('me/preferences')
  @ApiOperation({ summary: 'Own notification preferences' })
  @ApiOkResponse({ type: PreferencesDoc })
  mine(@CurrentPrincipal() p: Principal): Promise<PreferencesDocument> {
    return this.preferences.get(p.userId);
  }

  @Patch('me/preferences')
  @ApiOperation({ summary: 'Change own notification preferences', description: MERGE })
  @ApiOkResponse({ type: PreferencesDoc })
  changeMine(
    @CurrentPrincipal() p: Principal,
    @Body() dto: PreferencesPatchDto,
  ): Promise<PreferencesDocument> {
    return this.preferences.patch(p.userId, dto);
  }

  @Get('me/notification-types')
  @ApiOperation({
    summary: 'The types of own notifications (an extension, for a preferences page)',
    description: `Distinct, sorted, at most ${TYPES_LISTED}.`,
  })
  @ApiOkResponse({ type: NotificationTypesDoc })
  async types(@CurrentPrincipal() p: Principal): Promise<{ types: string[] }> {
    return { types: await this.preferences.receivedTypes(p.userId, TYPES_LISTED) };
  }

  @Get('users/:userId/preferences')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: "A user's notification preferences (for a service's settings page)" })
  @ApiOkResponse({ type: PreferencesDoc })
  ofUser(@Param('userId', UserIdPipe) userId: string): Promise<PreferencesDocument> {
    return this.preferences.get(userId);
  }

  @Patch('users/:userId/preferences')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: "Change a user's notification preferences", description: MERGE })
  @ApiOkResponse({ type: PreferencesDoc })
  changeOfUser(
    @Param('userId', UserIdPipe) userId: string,
    @Body() dto: PreferencesPatchDto,
  ): Promise<PreferencesDocument> {
    return this.preferences.patch(userId, dto);
  }
}
