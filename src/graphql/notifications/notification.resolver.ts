import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Notification } from '../../entities';
import { requireEventBus, type NotificationPayload } from '../../events/pubsub';
import {
  listNotifications, listPreferences, listTemplates, markAllRead, markRead, setPreference, setTemplate, unreadCount,
  type PreferenceView, type TemplateView,
} from '../../services/notification.service';
import type { GraphQLContext } from '../context';
import { NotificationChannelEnum, NotificationPreferenceType, NotificationTemplateType, NotificationType } from './notification.type';

function view(n: Notification): NotificationType {
  return { id: n.id, eventType: n.eventType, loanId: n.loanId ?? null, title: n.title, body: n.body, readAt: n.readAt ?? null, createdAt: n.createdAt };
}

@Resolver()
export class NotificationResolver {
  @Authorized()
  @Query(() => [NotificationType], { description: "The signed-in user's inbox, newest first." })
  async notifications(
    @Ctx() ctx: GraphQLContext,
    @Arg('unreadOnly', () => Boolean, { nullable: true, defaultValue: false }) unreadOnly?: boolean,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first?: number,
  ): Promise<NotificationType[]> {
    return (await listNotifications(ctx, { unreadOnly, first })).map(view);
  }

  @Authorized()
  @Query(() => Int, { description: 'How many inbox entries are unread.' })
  unreadNotificationCount(@Ctx() ctx: GraphQLContext): Promise<number> {
    return unreadCount(ctx);
  }

  @Authorized()
  @Mutation(() => NotificationType, { description: 'Marks one of your notifications read (NOT_FOUND for anyone else\'s).' })
  async markNotificationRead(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<NotificationType> {
    return view(await markRead(ctx, id));
  }

  @Authorized()
  @Mutation(() => Int, { description: 'Marks every unread notification read; returns how many.' })
  markAllNotificationsRead(@Ctx() ctx: GraphQLContext): Promise<number> {
    return markAllRead(ctx);
  }

  @Authorized()
  @Query(() => [NotificationPreferenceType], { description: 'Your channels: "*" (default IN_APP + EMAIL) and per-event-type overrides.' })
  notificationPreferences(@Ctx() ctx: GraphQLContext): Promise<PreferenceView[]> {
    return listPreferences(ctx);
  }

  @Authorized()
  @Mutation(() => NotificationPreferenceType, { description: 'Chooses your channels for an event type ("*" = every type without its own choice); [] turns it off.' })
  setNotificationPreference(
    @Arg('eventType', () => String, { defaultValue: '*' }) eventType: string,
    @Arg('channels', () => [NotificationChannelEnum]) channels: NotificationChannelEnum[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<PreferenceView> {
    return setPreference(ctx, eventType, channels);
  }

  @Authorized('ADMIN')
  @Query(() => [NotificationTemplateType], { description: 'Built-in templates and ADMIN overrides.' })
  notificationTemplates(@Ctx() ctx: GraphQLContext): Promise<TemplateView[]> {
    return listTemplates(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => NotificationTemplateType, { description: 'Overrides the template of an event type for a channel ("*" = every channel).' })
  setNotificationTemplate(
    @Arg('eventType') eventType: string,
    @Arg('channel', () => String, { defaultValue: '*' }) channel: string,
    @Arg('subject') subject: string,
    @Arg('body') body: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<TemplateView> {
    return setTemplate(ctx, { eventType, channel, subject, body });
  }

  @Authorized()
  @Subscription(() => NotificationType, {
    description: 'New entries of your inbox as they are committed (fed from RabbitMQ).',
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      return requireEventBus(ctx).subscribe('NOTIFICATION_CREATED', ctx.actor.id);
    },
  })
  notificationReceived(@Root() n: NotificationPayload): NotificationPayload {
    return n;
  }
}
