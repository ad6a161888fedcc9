import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { TOPIC_PATTERN, TOPIC_RULE, USER_ID_MAX } from './limits';

/** `:topic` path parameter. */
@Injectable()
export class TopicPipe implements PipeTransform<string, string> {
  transform(topic: string): string {
    if (!TOPIC_PATTERN.test(topic)) throw new BadRequestException([`topic must be ${TOPIC_RULE}`]);
    return topic;
  }
}

/** `:userId` path parameter. */
@Injectable()
export class UserIdPipe implements PipeTransform<string, string> {
  transform(userId: string): string {
    if (userId.length < 1 || userId.length > USER_ID_MAX) {
      throw new BadRequestException([`userId must be 1-${USER_ID_MAX} characters`]);
    }
    return userId;
  }
}
