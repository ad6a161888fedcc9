import {
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
import { ApiBody } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CreateTaskDto } from './dto/create-task.dto';
import { DeleteTaskDto } from './dto/delete-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { UpdateTaskDto } from './dto/update-task.dto';
import { TaskEtagInterceptor } from './task-etag.interceptor';
import type { TaskPage, TaskView } from './task.types';
import { TasksService } from './tasks.service';

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
  @ApiBody({ type: DeleteTaskDto, required: false })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() dto: DeleteTaskDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    return this.tasks.remove(principal, id, dto, ifMatch);
  }
}
