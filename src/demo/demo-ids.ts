/**
 * The ids the demo visit (lee-state-visit-china-2026.ts) gets when loaded under its own slug, as
 * on a fresh `npm start`, so that the examples of the OpenAPI document can name its rows and
 * Swagger UI's "Try it out" works on them. Apart from the data, which imports the schemas: the
 * schemas import these.
 */
export const DEMO_IDS = {
  visit: '2fbbaf17-4035-4a0a-951a-d0c49f32aa4f',
  legs: {
    beijing: 'a9e711a5-1965-4902-a13c-989e4bc39019',
    shanghai: '0fc5ad7e-8f0f-4761-9013-e72bcc194b90',
    seoul: '9d08d954-46e4-4f09-9225-df9369132e36'
  },
  engagements: {
    arrival: 'bf243710-c2db-4c83-8b09-8153c3f9fda4',
    koreansInChina: '921767d0-e59e-43c4-8f9e-e03287d40ef0',
    businessForum: '67ad9f8d-55ce-4e5a-864e-777d80d013cc',
    summit: 'b02fd2b4-c9e2-4fae-81aa-6cb7a85f064a',
    zhaoLeji: 'b7d31cc7-c5e7-4e2e-87a5-4c411e234e5c',
    talks: '97c8a4fe-a076-45c4-9f07-83aafa2de838',
    luncheon: 'cb49f473-bbd6-476b-8826-747a85fa664c',
    shanghaiDinner: 'bec8f46d-2bd0-4255-bb43-df743a33dabb',
    startupEvent: 'ad30c9b8-8e8e-461f-b1c7-66e70ed925dd',
    provisionalGovernment: 'ba8f2d3a-af04-4a63-befc-dddf8a386a31',
    returnToSeoul: 'f9a9f0df-7ef4-4ff0-a181-cfb15b513f29'
  },
  participants: {
    lee: 'f9b15258-c605-4b0c-9465-1d643832051e',
    yin: '7422aacd-2af4-45e5-8cff-d5ca5d1f2825',
    xi: '326907cd-ebd3-4148-a6c0-d70837ec0cf9',
    zhao: 'd92ef34f-9b8a-43c2-82fc-6d20ad270297',
    li: 'ca9c205a-a01e-49d0-8753-8b5b7e80b546',
    chen: '09ea25ff-f18b-4de2-92a4-49cb26c6db16'
  }
} as const
