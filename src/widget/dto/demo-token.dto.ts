import { IsString, Matches } from 'class-validator';

/** Demo user names: short and plain, so they read well on the page and in a URL. */
const DEMO_USER_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

export class DemoTokenDto {
  @IsString()
  @Matches(DEMO_USER_PATTERN, {
    message: 'userId must be 1-64 letters, digits, ".", "_", "@" or "-"',
  })
  userId!: string;
}
