/**
 * The client's protocol shapes (protocol.ts) are hand-written so they can allow for what older
 * servers leave out; this file holds them to the server's own models (src/api/generated.ts,
 * regenerated from the backend and checked for staleness by a test). `npm run check` fails here
 * when the two drift: whatever the server sends must fit what the client reads, and whatever
 * the client sends must fit what the server accepts. Nothing here runs.
 */

import type * as Server from '../api/generated';
import type * as Client from './protocol';

type Fits<From, To> = From extends To ? true : never;

// Server -> client: entity values and messages.
export const serverToClient: [
  Fits<Server.WorkshopPublic, Client.Workshop>,
  Fits<Server.ThemePublic, Client.Theme>,
  Fits<Server.GroupPublic, Client.Group>,
  Fits<Server.MemberPublic, Client.Member>,
  Fits<Server.ChecklistPublic, Client.Checklist>,
  Fits<Server.ItemPublic, Client.Item>,
  Fits<Server.ItemSourcePublic, Client.ItemSource>,
  Fits<Server.CommentPublic, Client.Comment>,
  Fits<Server.VotePublic, Client.Vote>,
  Fits<Server.Ack, Client.Ack>,
  Fits<Server.Reject, Client.Reject>,
  Fits<Server.Welcome, Client.Welcome>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];

// Client -> server.
export const clientToServer: [
  Fits<Client.Hello, Server.Hello>,
  Fits<Client.OpMessage, Server.OpMessage>,
  Fits<Client.PresenceMessage, Server.PresenceMessage>,
  Fits<Client.Ping, Server.Ping>,
] = [true, true, true, true];
