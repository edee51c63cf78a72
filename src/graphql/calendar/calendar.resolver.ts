import { Arg, Authorized, Ctx, Field, ID, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { Weekday, WorkingCalendar } from '../../domain/holidays';
import type { Holiday } from '../../entities';
import { createHoliday, deleteHoliday, listHolidays, setWorkingDays, workingCalendar } from '../../services/calendar.service';
import { WeekdayEnum } from '../common/enums';
import type { GraphQLContext } from '../context';
import { DateTimeScalar, LocalDateScalar } from '../scalars';

@ObjectType('Holiday', { description: 'A holiday: due dates in it move by the product rule (repaymentRescheduleType).' })
export class HolidayType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => LocalDateScalar)
  fromDate!: string;

  @Field(() => LocalDateScalar, { description: 'Inclusive.' })
  toDate!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('WorkingDays', { description: "The lender's working week." })
export class WorkingDaysType {
  @Field(() => [WeekdayEnum])
  nonWorkingDays!: Weekday[];
}

@Resolver()
export class CalendarResolver {
  @Authorized()
  @Query(() => WorkingDaysType)
  async workingDays(@Ctx() ctx: GraphQLContext): Promise<WorkingDaysType> {
    const c: WorkingCalendar = await workingCalendar(ctx);
    return { nonWorkingDays: c.nonWorkingDays };
  }

  @Authorized('ADMIN')
  @Mutation(() => WorkingDaysType, { description: 'Sets the weekdays that are not working days (at least one day must remain a working day). New schedules use it.' })
  async setWorkingDays(@Arg('nonWorkingDays', () => [WeekdayEnum]) nonWorkingDays: Weekday[], @Ctx() ctx: GraphQLContext): Promise<WorkingDaysType> {
    return { nonWorkingDays: (await setWorkingDays(ctx, nonWorkingDays)).nonWorkingDays };
  }

  @Authorized()
  @Query(() => [HolidayType])
  holidays(@Ctx() ctx: GraphQLContext): Promise<Holiday[]> {
    return listHolidays(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => HolidayType, { description: 'Adds a holiday (fromDate..toDate inclusive). New schedules move due dates in it by their product rule.' })
  createHoliday(
    @Arg('name') name: string,
    @Arg('fromDate', () => LocalDateScalar) fromDate: string,
    @Arg('toDate', () => LocalDateScalar) toDate: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Holiday> {
    return createHoliday(ctx, { name, fromDate, toDate });
  }

  @Authorized('ADMIN')
  @Mutation(() => Boolean)
  deleteHoliday(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return deleteHoliday(ctx, id);
  }
}
