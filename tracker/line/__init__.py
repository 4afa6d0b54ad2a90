"""LINE, the way in and out, in the order a message travels:

    channel.py   the Messaging API through line-bot-sdk v3 (retry key, timeouts, quota) or the log; credentials
    flex.py      Flex messages within LINE's limits (pure)
    postback.py  signed button data (pure)
    webhook.py   each webhook event, once: follow, messages, buttons, account link, groups
    replies.py   what the bot answers: help, the person's tasks, the progress summary
    answers.py   a reminder's answers from its buttons: รับทราบ/กำลังทำ, เลื่อนการเตือน, ทำไม่ได้ and its reason
    linking.py   a person's LINE account and a division's LINE group
    account.py   the organization's Official Account: webhook routing and its ids
    richmenu.py  the rich menu image and its setup
"""
