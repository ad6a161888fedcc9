import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ErrorBodyDoc } from '../docs/api-models';
import { CreateTaskDto } from './dto/create-task.dto';
import { DeleteTaskDto } from './dto/delete-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { UpdateTaskDto } from './dto/update-task.dto';
import { TaskEtagInterceptor } from './task-etag.interceptor';
import type { TaskPage, TaskView } from './task.types';
import { TasksService } from './tasks.service';

/** PATCH and DELETE: a write that names no version (header or body) is applied as it is. */
const VERSIONED_WRITE = applyDecorators(
  ApiHeader({
    name: 'if-match',
    required: false,
    description: 'The version the write is based on, as its ETag (`"3"`); or `version` in the body',
  }),
  ApiConflictResponse({
    type: ErrorBodyDoc,
    description: 'The version named is stale: `currentVersion` in the body, its ETag in `ETag`',
  }),
);

@Controller('v1/tasks')
@UseInterceptors(TaskEtagInterceptor)
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateTaskDto): Promise<TaskView> {
    return this.tasks.create(principal, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTasksQuery,
  ): Promise<TaskPage> {
    return this.tasks.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<TaskView> {
    return this.tasks.get(principal, id);
  }

  @Patch(':id')
  @VERSIONED_WRITE
  @ApiOkResponse({ description: 'The task as changed; its new version also as `ETag`' })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateTaskDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<TaskView> {
    return this.tasks.update(principal, id, dto, ifMatch);
  }

  @Delete(':id')
  @HttpCode(204)
  @VERSIONED_WRITE
  @ApiBody({ type: DeleteTaskDto, required: false })
  @ApiNoContentResponse({ description: 'Deleted' })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: DeleteTaskDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    return this.tasks.remove(principal, id, dto, ifMatch);
  }
}
